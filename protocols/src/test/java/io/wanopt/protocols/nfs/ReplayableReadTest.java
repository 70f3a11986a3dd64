package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.nfs.v3.Nfs3Status;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.Nfs4ResOp;
import io.wanopt.protocols.nfs.v4.Nfs4Status;
import io.wanopt.protocols.TrackedBuffers;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A replayable READ from captured libnfs traffic, and the zero-filled reply the appliance may answer it with. */
class ReplayableReadTest {

    @ParameterizedTest
    @ValueSource(strings = {"v3-get-nfs.txt", "v4-get-nfs.txt"})
    void aZeroReplyDecodesAsTheReadOfThatManyZeros(String capture) {
        ReplayableRead read = firstReplayableRead(capture);
        int xid = 0x7000_0001;
        for (int count : new int[] {0, 1, 1000, 4096}) {
            NfsConversation conversation = Conversations.create();
            Conversations.call(conversation, read.payloadWith(xid, 8192));
            byte[] payload = read.zeroReply(xid, count, count == 1000);
            NfsReply reply = Conversations.reply(conversation, payload);
            assertEquals(xid, reply.xid());
            FileData data = FileData.of(reply).get(0);
            assertEquals(8192, data.fileOffset());
            assertEquals(read.file(), data.file());
            assertEquals(count, data.data().length());
            assertEquals(payload.length, data.data().end() + (4 - count % 4) % 4, "the data ends the reply");
            assertTrue(Arrays.equals(new byte[count], Arrays.copyOfRange(payload, data.data().offset(), data.data().end())));
            if (reply.result() instanceof Read3Res v3) {
                assertEquals(Nfs3Status.NFS3_OK, v3.status());
                assertNull(v3.fileAttributes());
                assertEquals(count == 1000, v3.eof());
            } else {
                Compound4Res v4 = (Compound4Res) reply.result();
                assertEquals(Nfs4Status.NFS4_OK, v4.status());
                assertEquals(2, v4.results().size());
                assertEquals(count == 1000, ((Nfs4ResOp.Read) v4.results().get(1)).eof());
            }
        }
    }

    private static ReplayableRead firstReplayableRead(String capture) {
        NfsConversation conversation = Conversations.create();
        for (CapturedExchange.Decoded decoded : CapturedExchange.load(capture).replay(Conversations.create())) {
            if (decoded.fromClient() && decoded.message() instanceof NfsCall) {
                ByteBuf payload = TrackedBuffers.of(decoded.payload());
                try {
                    ReplayableRead read = ReplayableRead.parse(conversation, payload);
                    if (read != null) {
                        return read;
                    }
                } finally {
                    payload.release();
                }
            }
        }
        throw new AssertionError("no replayable READ in " + capture);
    }
}
