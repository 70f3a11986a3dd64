package io.wanopt.protocols.nfs.v3;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** {@code createmode3} of CREATE (RFC 1813 §3.3.8). */
public final class CreateMode3 extends XdrEnum {

    public static final CreateMode3 UNCHECKED = new CreateMode3(0, "UNCHECKED");
    public static final CreateMode3 GUARDED = new CreateMode3(1, "GUARDED");
    public static final CreateMode3 EXCLUSIVE = new CreateMode3(2, "EXCLUSIVE");

    private static final Map<Integer, CreateMode3> KNOWN = index(UNCHECKED, GUARDED, EXCLUSIVE);

    private CreateMode3(int code, String name) {
        super(code, name);
    }

    public static CreateMode3 valueOf(int code) {
        CreateMode3 known = KNOWN.get(code);
        return known != null ? known : new CreateMode3(code, null);
    }
}
