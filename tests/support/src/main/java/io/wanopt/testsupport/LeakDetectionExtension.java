package io.wanopt.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's {@link ResourceLeakDetector} reports a leaked buffer while it ran.
 *
 * <p>Registered for every test through JUnit's extension auto-detection (META-INF/services). Netty
 * logs through java.util.logging here (no SLF4J on the test class path), so a handler on the
 * detector's logger sees every "LEAK:" report. Leaks are only reported when a later buffer is
 * tracked after the leaked one was garbage collected, hence the GC and allocations in afterAll.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Logger DETECTOR_LOGGER = Logger.getLogger(ResourceLeakDetector.class.getName());
    private static final List<String> LEAKS = new ArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (message != null && message.contains("LEAK:")) {
                synchronized (LEAKS) {
                    LEAKS.add(message);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    static {
        DETECTOR_LOGGER.addHandler(CAPTURE);
        DETECTOR_LOGGER.setLevel(Level.ALL);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            // Tracking new buffers makes the detector drain its reference queue and report.
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {
                    PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                for (int i = 0; i < 64; i++) {
                    ByteBuf probe = allocator.directBuffer(16);
                    probe.release();
                    probe = allocator.heapBuffer(16);
                    probe.release();
                }
            }
        }
        List<String> found;
        synchronized (LEAKS) {
            found = new ArrayList<>(LEAKS);
            LEAKS.clear();
        }
        if (!found.isEmpty()) {
            throw new AssertionError("Netty reported " + found.size() + " leaked buffer(s) in "
                    + context.getDisplayName() + ":\n" + String.join("\n", found));
        }
    }
}
