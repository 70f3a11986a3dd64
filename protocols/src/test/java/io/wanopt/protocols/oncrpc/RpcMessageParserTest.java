package io.wanopt.protocols.oncrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.TrackedBuffers;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpcMessageParserTest {

    @Test
    void callWithAuthSys() {
        byte[] payload = new XdrWriter().callAuthSys(0x1234, XdrWriter.NFS, 3, 6, 1000, 100).u32(0xCAFE).toBytes();
        RpcCall call = (RpcCall) parse(payload);
        assertEquals(0x1234, call.xid());
        assertEquals(2, call.rpcVersion());
        assertEquals(XdrWriter.NFS, call.program());
        assertEquals(3, call.version());
        assertEquals(6, call.procedure());
        assertEquals(AuthFlavor.AUTH_SYS, call.credential().flavor());
        assertEquals(new AuthSysParams(7, "client", 1000, 100, List.of(100L)), call.authSys());
        assertEquals(AuthFlavor.AUTH_NONE, call.verifier().flavor());
        assertEquals(payload.length - 4, call.argumentsOffset());
        assertFalse(call.isRpcsecGss());
    }

    @Test
    void callWithRpcsecGssIsFlaggedAndItsBodyNotParsed() {
        RpcCall call = (RpcCall) parse(new XdrWriter().callGss(9, XdrWriter.NFS, 4, 1).toBytes());
        assertTrue(call.isRpcsecGss());
        assertNull(call.authSys());
        assertEquals(24, call.credential().body().length());
        assertEquals(AuthFlavor.RPCSEC_GSS, call.verifier().flavor());
    }

    @Test
    void unknownFlavorsAndVersionsAreValues() {
        byte[] payload = new XdrWriter().i32(5).i32(0).u32(3).u32(400_000).u32(9).u32(77).i32(390_003)
                .opaque(new byte[5]).i32(0).opaque(new byte[0]).toBytes();
        RpcCall call = (RpcCall) parse(payload);
        assertEquals(3, call.rpcVersion());
        assertEquals(AuthFlavor.valueOf(390_003), call.credential().flavor());
        assertFalse(call.credential().flavor().isKnown());
        assertEquals("UNKNOWN(390003)", call.credential().flavor().toString());
        assertEquals(payload.length, call.argumentsOffset());
    }

    @Test
    void acceptedReplies() {
        RpcReply success = (RpcReply) parse(new XdrWriter().reply(77).u32(0).toBytes());
        assertTrue(success.isSuccess());
        assertEquals(24, success.resultsOffset());
        RpcReply mismatch = (RpcReply) parse(new XdrWriter().i32(78).i32(1).i32(0).i32(0).opaque(new byte[0]).i32(2)
                .u32(2).u32(4).toBytes());
        assertEquals(AcceptStat.PROG_MISMATCH, mismatch.acceptStat());
        assertEquals(2, mismatch.mismatchLow());
        assertEquals(4, mismatch.mismatchHigh());
        assertEquals(-1, mismatch.resultsOffset());
        RpcReply unknown = (RpcReply) parse(new XdrWriter().i32(79).i32(1).i32(0).i32(0).opaque(new byte[0]).i32(42)
                .toBytes());
        assertEquals(AcceptStat.valueOf(42), unknown.acceptStat());
        assertFalse(unknown.isSuccess());
    }

    @Test
    void deniedReplies() {
        RpcReply rpcMismatch = (RpcReply) parse(new XdrWriter().i32(1).i32(1).i32(1).i32(0).u32(2).u32(2).toBytes());
        assertFalse(rpcMismatch.accepted());
        assertEquals(RejectStat.RPC_MISMATCH, rpcMismatch.rejectStat());
        assertEquals(2, rpcMismatch.mismatchHigh());
        RpcReply authError = (RpcReply) parse(new XdrWriter().i32(2).i32(1).i32(1).i32(1).i32(14).toBytes());
        assertEquals(RejectStat.AUTH_ERROR, authError.rejectStat());
        assertEquals(AuthStat.RPCSEC_GSS_CTXPROBLEM, authError.authStat());
        assertFalse(authError.isSuccess());
    }

    @Test
    void unreadableHeadersThrow() {
        MalformedInputException type = assertThrows(MalformedInputException.class,
                () -> parse(new XdrWriter().i32(1).i32(2).toBytes()));
        assertEquals("RPC msg_type 2 is invalid (expected: 0 (CALL) or 1 (REPLY)) at offset 4", type.getMessage());
        assertThrows(MalformedInputException.class, () -> parse(new XdrWriter().i32(1).i32(1).i32(5).toBytes()));
        MalformedInputException body = assertThrows(MalformedInputException.class, () -> parse(new XdrWriter()
                .i32(1).i32(0).u32(2).u32(1).u32(1).u32(1).i32(1).u32(401).toBytes()));
        assertEquals("RPC cred body length 401 exceeds 400 at offset 28", body.getMessage());
        byte[] shortAuthSys = new XdrWriter().i32(1).i32(0).u32(2).u32(1).u32(1).u32(1).i32(1)
                .opaque(new XdrWriter().u32(7).string("host").toBytes()).i32(0).opaque(new byte[0]).toBytes();
        assertThrows(MalformedInputException.class, () -> parse(shortAuthSys));
        assertThrows(MalformedInputException.class, () -> parse(new byte[] {0, 0, 0, 1, 0, 0}));
    }

    private static RpcMessage parse(byte[] payload) {
        ByteBuf buf = TrackedBuffers.of(payload);
        try {
            return RpcMessageParser.parse(buf);
        } finally {
            buf.release();
        }
    }
}
