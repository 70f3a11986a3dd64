package io.wanopt.proxy.inpath;

import java.util.concurrent.atomic.LongAdder;

/** What the in-path interceptor did with the connections TPROXY steered to it, since start. */
public final class InPathCounters {

    /** Connections carried through a peer. */
    public final LongAdder intercepted = new LongAdder();
    /** Connections passed through unoptimized because no peer of their rule was up. */
    public final LongAdder passedPeersDown = new LongAdder();
    /** Connections passed through because no rule matched (steered by rules the admin wrote). */
    public final LongAdder passedNoRule = new LongAdder();
    /** Bytes relayed for passed-through connections, both directions. */
    public final LongAdder passedBytes = new LongAdder();
    /** Passed-through connections whose server could not be reached (the client is reset). */
    public final LongAdder passFailures = new LongAdder();

    @Override
    public String toString() {
        return "in-path: " + intercepted.sum() + " intercepted, " + (passedPeersDown.sum() + passedNoRule.sum())
                + " passed through (" + passedPeersDown.sum() + " peers down, " + passedNoRule.sum() + " no rule; "
                + passedBytes.sum() + " bytes; " + passFailures.sum() + " failed)";
    }
}
