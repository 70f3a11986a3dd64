package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.NfsArguments;
import java.util.List;

/**
 * RFC 7530 / RFC 8881 COMPOUND procedure, {@code COMPOUND4args}, walked as far as
 * {@link Compound4Decoder} follows: {@code operations} holds the leading operations it understood; the
 * walk ends at the first one it does not, and everything from there on is not understood (passed on).
 *
 * @param minorVersion      0 (RFC 7530), 1 (RFC 8881), 2 (RFC 7862); above 2 no operation is walked
 * @param declaredOps       the length of {@code argarray}
 * @param notUnderstood     the operation at which the walk ended, or null when all were understood
 * @param notUnderstoodOffset payload offset of that operation's opcode, or -1
 */
public record Compound4Args(String tag, long minorVersion, List<Nfs4ArgOp> operations, int declaredOps,
        Nfs4Op notUnderstood, int notUnderstoodOffset) implements NfsArguments {

    public Compound4Args {
        operations = List.copyOf(operations);
    }

    /** Whether every operation was understood. */
    public boolean isComplete() {
        return notUnderstood == null;
    }
}
