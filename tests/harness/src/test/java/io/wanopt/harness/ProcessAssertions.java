package io.wanopt.harness;

import static org.junit.jupiter.api.Assertions.fail;

/** Assertions that servers leave no process behind. */
final class ProcessAssertions {

    private ProcessAssertions() {
    }

    static void assertNotRunning(long pid, String what) {
        ProcessHandle.of(pid).filter(ChildProcess::isRunning)
                .ifPresent(handle -> fail(what + " (pid " + pid + ") still runs: " + handle.info()));
    }
}
