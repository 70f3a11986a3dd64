package io.wanopt.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad arguments end the command with status 2 and one line naming the problem. */
class WanEmulatorCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--listen 127.0.0.1:0 --to 127.0.0.1:9 --rate 10furlongs --rtt 140ms | 10furlongs",
        "--listen 127.0.0.1:0 --to 127.0.0.1:9 --rate 10mbit --rtt soon | soon",
        "--listen 127.0.0.1:0 --to 127.0.0.1:9 --rate 10mbit --rtt 140ms --queue lots | lots",
        "--listen 127.0.0.1:0 --to 127.0.0.1:99999 --rate 10mbit --rtt 140ms | 99999",
        "--listen 127.0.0.1:0 --to 127.0.0.1 --rate 10mbit --rtt 140ms | --to",
        "--listen 127.0.0.1:0 --rate 10mbit --rtt 140ms | missing --to",
        "--listen 127.0.0.1:0 --to 127.0.0.1:9 --rate 10mbit --rtt 140ms --jitter 5ms | --jitter",
        "--listen 127.0.0.1:0 --to 127.0.0.1:9 --rate 10mbit --rtt | --rtt",
        "--listen 127.0.0.1:0,127.0.0.1:0 --to 127.0.0.1:9 --rate 10mbit --rtt 140ms | each listen address needs its target",
        "--listen 127.0.0.1:0, --to 127.0.0.1:9,127.0.0.1:10 --rate 10mbit --rtt 140ms | --listen",
    })
    void badArgumentsReturnTwoWithOneLine(String arguments, String named) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = WanEmulatorCommand.run(arguments.trim().split(" +"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status);
        assertEquals(0, out.size());
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains(named), message);
    }
}
