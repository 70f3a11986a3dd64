package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.FileHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the current file handle through a COMPOUND (RFC 7530, RFC 8881): which file
 * each operation worked on, and which names the reply bound to which handles. PUTFH sets the handle;
 * PUTROOTFH, LOOKUP and OPEN by name move to a handle the reply reveals only through a later GETFH (or
 * GETATTR with the {@code filehandle} attribute); SAVEFH/RESTOREFH keep and bring back one. A handle
 * revealed later in the COMPOUND is known for every operation since the move, so an OPEN's stateid and
 * its READ both resolve to the file the following GETFH names.
 *
 * <p>Only operations that succeeded move the handle; the failed one and those after it (which the
 * server did not execute) or past the end of the walk resolve to null.
 */
public final class CompoundFileFlow {

    /**
     * One operation with its result and the current file handle after it.
     *
     * @param result    the operation's result, or null when the reply has none (not executed, or not walked)
     * @param currentFh the current file handle after the operation, or null when it failed or was not executed
     *                  or the COMPOUND did not reveal the handle
     */
    public record Step(int index, Nfs4ArgOp operation, Nfs4ResOp result, FileHandle currentFh) {
    }

    /** A name that the COMPOUND resolved: {@code name} in directory {@code dir} is {@code object}. */
    public record NameBinding(FileHandle dir, String name, FileHandle object) {
    }

    private final List<Step> steps;
    private final List<NameBinding> names;

    private CompoundFileFlow(List<Step> steps, List<NameBinding> names) {
        this.steps = List.copyOf(steps);
        this.names = List.copyOf(names);
    }

    /** A handle position in the COMPOUND; several operations share one until the handle moves. */
    private static final class Position {
        final Position parent;
        final String name;
        FileHandle handle;

        Position(FileHandle handle, Position parent, String name) {
            this.handle = handle;
            this.parent = parent;
            this.name = name;
        }
    }

    /** Resolves {@code reply} against the call it answers ({@code reply.request()}). */
    public static CompoundFileFlow of(Compound4Res reply) {
        return resolve(reply.request().operations(), reply.results());
    }

    /**
     * Resolves a call on its own, as if every operation succeeded: only handles the call itself names
     * (PUTFH, and SAVEFH/RESTOREFH of them) are known; steps have no results.
     */
    public static CompoundFileFlow of(Compound4Args call) {
        return resolve(call.operations(), null);
    }

    /** {@code results} null: a call without its reply. */
    private static CompoundFileFlow resolve(List<Nfs4ArgOp> operations, List<Nfs4ResOp> results) {
        List<Position> positions = new ArrayList<>(operations.size());
        List<Position> moves = new ArrayList<>();
        Position current = null;
        Position saved = null;
        int executed = 0;
        for (int i = 0; i < operations.size(); i++) {
            Nfs4ArgOp operation = operations.get(i);
            Nfs4ResOp result = results == null || i >= results.size() ? null : results.get(i);
            if (results != null && (result == null || !result.op().equals(operation.op()) || !result.status().isOk())) {
                break;
            }
            executed++;
            if (operation instanceof Nfs4ArgOp.Putfh putfh) {
                current = new Position(putfh.object(), null, null);
            } else if (operation instanceof Nfs4ArgOp.Putrootfh) {
                current = new Position(null, null, null);
            } else if (operation instanceof Nfs4ArgOp.Lookup lookup) {
                current = new Position(null, current, lookup.name());
            } else if (operation instanceof Nfs4ArgOp.Open open && open.claim().namesFile()) {
                current = new Position(null, current, open.fileName());
            } else if (operation instanceof Nfs4ArgOp.Savefh) {
                saved = current;
            } else if (operation instanceof Nfs4ArgOp.Restorefh) {
                current = saved;
            } else if (current != null && result instanceof Nfs4ResOp.Getfh getfh) {
                current.handle = getfh.object();
            } else if (current != null && result instanceof Nfs4ResOp.Getattr getattr
                    && getattr.attributes().fileHandle() != null) {
                current.handle = getattr.attributes().fileHandle();
            }
            if (current != null && !moves.contains(current)) {
                moves.add(current);
            }
            positions.add(current);
        }
        List<Step> steps = new ArrayList<>(operations.size());
        for (int i = 0; i < operations.size(); i++) {
            Position position = i < executed ? positions.get(i) : null;
            steps.add(new Step(i, operations.get(i), results != null && i < results.size() ? results.get(i) : null,
                    position == null ? null : position.handle));
        }
        List<NameBinding> names = new ArrayList<>();
        for (Position move : moves) {
            if (move.name != null && move.handle != null && move.parent != null && move.parent.handle != null) {
                names.add(new NameBinding(move.parent.handle, move.name, move.handle));
            }
        }
        return new CompoundFileFlow(steps, names);
    }

    /** One step per operation of the call, in order. */
    public List<Step> steps() {
        return steps;
    }

    /** Names bound to handles, in the order the COMPOUND moved to them. */
    public List<NameBinding> names() {
        return names;
    }
}
