package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.NfsResult;
import java.util.List;

/**
 * RFC 7530 / RFC 8881 COMPOUND reply, {@code COMPOUND4res}: the status of the last operation executed
 * and the results walked as far as {@link Compound4Decoder} follows (the server stops at the first
 * failing operation, so there may be fewer results than operations). {@code results.get(i)} answers
 * {@code request.operations().get(i)}.
 *
 * @param request             the call it answers
 * @param declaredResults     the length of {@code resarray}
 * @param notUnderstood       the operation at which the walk ended, or null when all were understood
 * @param notUnderstoodOffset payload offset of that result's opcode, or -1
 */
public record Compound4Res(Compound4Args request, Nfs4Status status, String tag, List<Nfs4ResOp> results,
        int declaredResults, Nfs4Op notUnderstood, int notUnderstoodOffset) implements NfsResult {

    public Compound4Res {
        results = List.copyOf(results);
    }

    public boolean isComplete() {
        return notUnderstood == null;
    }
}
