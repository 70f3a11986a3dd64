package io.wanopt.protocols.oncrpc;

import java.util.HashMap;
import java.util.Map;

/**
 * A value of an XDR {@code enum} as it was on the wire: one of the constants its subclass knows, or an
 * unknown code kept as a value (never an exception), so a proxy can name what it understands and carry
 * everything else on unchanged. Equality is by class and code; {@code valueOf} of a subclass returns the
 * canonical constant for a known code.
 */
public abstract class XdrEnum {

    private final int code;
    private final String name;

    /** {@code name} is null for a code the subclass does not know. */
    protected XdrEnum(int code, String name) {
        this.code = code;
        this.name = name;
    }

    /** The code as sent (an XDR enum is a signed 32-bit integer). */
    public final int code() {
        return code;
    }

    /** The specification's name, or {@code UNKNOWN(code)}. */
    public final String name() {
        return name != null ? name : "UNKNOWN(" + code + ')';
    }

    /** Whether the code is one the subclass names. */
    public final boolean isKnown() {
        return name != null;
    }

    @Override
    public final boolean equals(Object other) {
        return other != null && other.getClass() == getClass() && ((XdrEnum) other).code == code;
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode() * 31 + code;
    }

    @Override
    public final String toString() {
        return name();
    }

    /** Indexes the constants of a subclass by code, rejecting duplicate codes (a typo in a table). */
    @SafeVarargs
    protected static <T extends XdrEnum> Map<Integer, T> index(T... constants) {
        Map<Integer, T> byCode = new HashMap<>();
        for (T constant : constants) {
            T previous = byCode.put(constant.code(), constant);
            if (previous != null) {
                throw new IllegalStateException("duplicate code " + constant.code() + ": " + previous + " and " + constant);
            }
        }
        return Map.copyOf(byCode);
    }
}
