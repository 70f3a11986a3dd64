package io.wanopt.proxy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.proxy.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code wanopt demo} on a small file and a fast emulated link: four moves, all intact, and a table. */
class DemoTest {

    @Test
    void aSmallDemoMovesEveryFileIntactAndPrintsTheTable() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"demo", "--size", "6MiB", "--rate", "100mbit", "--rtt", "20ms"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("every move arrived byte-exact"), text);
        for (String move : new String[] {"without wanopt", "wanopt, cold", "wanopt, same file again",
                "wanopt, 5% of blocks changed"}) {
            assertTrue(text.contains(move), move + " in " + text);
        }
        assertTrue(text.contains("reduction"), text);
    }

    @Test
    void badOptionsGiveOneLineAndStatusTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"demo", "--rate", "fast"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals(1, err.toString(StandardCharsets.UTF_8).strip().lines().count(), err.toString());
    }
}
