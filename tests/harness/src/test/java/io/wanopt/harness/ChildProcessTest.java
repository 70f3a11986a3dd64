package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child processes and commands end when told to, however they behave, and failures say why. */
class ChildProcessTest {

    @TempDir
    Path dir;

    @Test
    void closeStopsTheProcessAndEverythingItSpawned() throws Exception {
        ChildProcess parent = ChildProcess.start("sleepers", List.of("sh", "-c", "sleep 300 & sleep 300 & wait"),
                dir.resolve("sleepers.log"));
        List<ProcessHandle> children = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (children.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            children = parent.handle().children().toList();
        }
        assertEquals(2, children.size(), "both sleeps started");
        parent.close();
        ProcessAssertions.assertNotRunning(parent.pid(), "parent");
        for (ProcessHandle child : children) {
            ProcessAssertions.assertNotRunning(child.pid(), "child");
        }
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        ChildProcess stubborn = ChildProcess.start("stubborn",
                List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"), dir.resolve("stubborn.log"));
        while (!stubborn.logTail(1).contains("ready")) {
            Thread.sleep(20);
        }
        long begin = System.nanoTime();
        stubborn.stop(Duration.ofMillis(300));
        assertTrue(System.nanoTime() - begin < Duration.ofSeconds(5).toNanos(), "SIGKILL followed the grace period");
        ProcessAssertions.assertNotRunning(stubborn.pid(), "stubborn");
    }

    @Test
    void commandsReturnOutputAndFeedInput() throws Exception {
        assertEquals("hello\n", Commands.run(Duration.ofSeconds(10), dir, List.of("cat"), "hello\n"));
    }

    @Test
    void aFailedCommandNamesItselfItsStatusAndItsOutput() {
        String message = assertThrows(IOException.class, () -> Commands.run(Duration.ofSeconds(10),
                List.of("sh", "-c", "echo something broke; exit 3"))).getMessage();
        assertTrue(message.contains("exit 3") && message.contains("exited with status 3")
                && message.contains("something broke"), message);
    }

    @Test
    void aHangingCommandIsStoppedAtItsTimeout() {
        long begin = System.nanoTime();
        String message = assertThrows(IOException.class,
                () -> Commands.run(Duration.ofMillis(300), List.of("sleep", "300"))).getMessage();
        assertTrue(message.contains("timed out after 300 ms"), message);
        assertTrue(System.nanoTime() - begin < Duration.ofSeconds(5).toNanos(), "did not wait for the command");
    }
}
