package io.wanopt.protocols.nfs;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code stable_how} of a WRITE (RFC 1813 §3.3.7, RFC 7530 §16.36, same values); open. */
public final class StableHow extends XdrEnum {

    public static final StableHow UNSTABLE = new StableHow(0, "UNSTABLE");
    public static final StableHow DATA_SYNC = new StableHow(1, "DATA_SYNC");
    public static final StableHow FILE_SYNC = new StableHow(2, "FILE_SYNC");

    private static final Map<Integer, StableHow> KNOWN = index(UNSTABLE, DATA_SYNC, FILE_SYNC);

    private StableHow(int code, String name) {
        super(code, name);
    }

    public static StableHow valueOf(int code) {
        StableHow known = KNOWN.get(code);
        return known != null ? known : new StableHow(code, null);
    }
}
