package io.wanopt.harness;

/** Runs a step and logs its wall time, so test output shows server start and copy times. */
final class Timed {

    interface Step {
        void run() throws Exception;
    }

    private static final System.Logger LOG = System.getLogger(Timed.class.getName());

    private Timed() {
    }

    static void step(String what, Step step) throws Exception {
        long begin = System.nanoTime();
        step.run();
        long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> what + ": " + elapsedMillis + " ms");
    }
}
