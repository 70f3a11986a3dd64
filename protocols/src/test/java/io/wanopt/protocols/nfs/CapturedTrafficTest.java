package io.wanopt.protocols.nfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.TrackedBuffers;
import io.wanopt.protocols.nfs.mount.Mnt3Res;
import io.wanopt.protocols.nfs.v3.Create3Res;
import io.wanopt.protocols.nfs.v3.Entryplus3;
import io.wanopt.protocols.nfs.v3.Lookup3Res;
import io.wanopt.protocols.nfs.v3.Read3Res;
import io.wanopt.protocols.nfs.v3.Readdirplus3Res;
import io.wanopt.protocols.nfs.v3.Write3Args;
import io.wanopt.protocols.nfs.v4.Compound4Res;
import io.wanopt.protocols.nfs.v4.CompoundFileFlow;
import io.wanopt.protocols.nfs.v4.Nfs4ArgOp;
import io.wanopt.protocols.nfs.v4.Nfs4Op;
import io.wanopt.protocols.nfs.v4.Nfs4ResOp;
import io.wanopt.protocols.oncrpc.AuthFlavor;
import io.wanopt.protocols.oncrpc.RpcRecord;
import io.wanopt.protocols.vmdk.VmdkSignature;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real libnfs ↔ nfs-ganesha exchanges (src/test/resources/nfs/README.md) through the whole decoding path. */
class CapturedTrafficTest {

    private static final byte[] SMALL_BIN = randomBytes(4, 10_000);
    private static final byte[] UPLOADED = randomBytes(5, 5_000);

    @Test
    void mountTellsTheRootHandleOfTheExport() {
        List<CapturedExchange.Decoded> mount = replay("v3-get-mount.txt");
        Mnt3Res mnt = only(mount, Mnt3Res.class);
        assertEquals("/export", mnt.request().dirPath());
        assertTrue(mnt.status().isOk());
        assertEquals(24, mnt.root().length());
        assertEquals(List.of(AuthFlavor.AUTH_SYS), mnt.authFlavors());
        // the NFS connection of the same copy looks up names in that very handle
        Lookup3Res lookup = only(replay("v3-get-nfs.txt"), Lookup3Res.class);
        assertEquals(mnt.root(), lookup.request().dir());
    }

    @Test
    void nfs3ReadReplyIsTheFileAndLiesWhereItSays() {
        List<CapturedExchange.Decoded> decoded = replay("v3-get-nfs.txt");
        Lookup3Res lookup = only(decoded, Lookup3Res.class);
        assertEquals("small.bin", lookup.request().name());
        assertEquals(10_000, lookup.objectAttributes().size());
        CapturedExchange.Decoded readRecord = decoded.stream().filter(d -> result(d) instanceof Read3Res).findFirst()
                .orElseThrow();
        Read3Res read = (Read3Res) result(readRecord);
        assertEquals(lookup.object(), read.request().file());
        assertEquals(0, read.request().offset());
        assertTrue(read.eof());
        assertEquals(10_000, read.count());
        assertArrayEquals(SMALL_BIN, slice(readRecord.payload(), read.data().offset(), read.data().length()));
        List<RpcRecord.WireRange> onWire = readRecord.layout().dataOnWire().get(0);
        assertEquals(1, onWire.size());
        assertArrayEquals(SMALL_BIN, slice(readRecord.wire(), onWire.get(0).offset(), onWire.get(0).length()));
        assertEquals(List.of(new FileData(lookup.object(), 0, read.data(), false)), FileData.of(readRecord.message()));
    }

    @Test
    void nfs3WriteCallCarriesTheUploadIntoTheCreatedFile() {
        List<CapturedExchange.Decoded> decoded = replay("v3-put-nfs.txt");
        Create3Res create = only(decoded, Create3Res.class);
        assertEquals("up3.bin", create.request().name());
        CapturedExchange.Decoded writeRecord = decoded.stream()
                .filter(d -> d.message() instanceof NfsCall call && call.arguments() instanceof Write3Args).findFirst()
                .orElseThrow();
        Write3Args write = (Write3Args) ((NfsCall) writeRecord.message()).arguments();
        assertEquals(create.object(), write.file());
        assertEquals(5_000, write.count());
        assertArrayEquals(UPLOADED, slice(writeRecord.payload(), write.data().offset(), write.data().length()));
        FileData data = FileData.of(writeRecord.message()).get(0);
        assertTrue(data.written());
        assertEquals(create.object(), data.file());
    }

    @Test
    void readdirplusNamesEveryFileWithItsHandle() {
        Readdirplus3Res listing = only(replay("v3-ls-nfs.txt"), Readdirplus3Res.class);
        Map<String, Entryplus3> byName = listing.entries().stream()
                .collect(Collectors.toMap(Entryplus3::name, entry -> entry));
        assertTrue(byName.keySet().containsAll(List.of(".", "..", "small.bin", "disk.vmdk", "up3.bin")), byName.keySet()
                .toString());
        assertTrue(listing.eof());
        assertTrue(listing.complete());
        Lookup3Res lookup = only(replay("v3-get-nfs.txt"), Lookup3Res.class);
        assertEquals(lookup.object(), byName.get("small.bin").handle());
        assertEquals(10_000, byName.get("small.bin").attributes().size());
    }

    @Test
    void nfs4OpenNamesTheFileAndItsReadResolvesToTheSameHandle() {
        List<CapturedExchange.Decoded> decoded = replay("v4-get-nfs.txt");
        List<Compound4Res> compounds = results(decoded, Compound4Res.class);
        assertTrue(compounds.stream().allMatch(c -> c.request().minorVersion() == 0));
        // SETCLIENTID and SETCLIENTID_CONFIRM are not followed: those COMPOUNDs are reported, not decoded
        assertEquals(List.of(Nfs4Op.SETCLIENTID, Nfs4Op.SETCLIENTID_CONFIRM), compounds.stream()
                .filter(c -> !c.request().isComplete()).map(c -> c.request().notUnderstood()).toList());
        CompoundFileFlow open = compounds.stream().map(CompoundFileFlow::of)
                .filter(flow -> flow.steps().stream().anyMatch(s -> s.operation() instanceof Nfs4ArgOp.Open)).findFirst()
                .orElseThrow();
        CompoundFileFlow.NameBinding binding = open.names().get(0);
        assertEquals("small.bin", binding.name());
        CompoundFileFlow.Step openStep = open.steps().stream().filter(s -> s.operation() instanceof Nfs4ArgOp.Open)
                .findFirst().orElseThrow();
        assertEquals(binding.object(), openStep.currentFh());
        assertNotNull(((Nfs4ResOp.Open) openStep.result()).stateid());

        CapturedExchange.Decoded readRecord = decoded.stream().filter(d -> !FileData.of(d.message()).isEmpty())
                .findFirst().orElseThrow();
        FileData data = FileData.of(readRecord.message()).get(0);
        assertEquals(binding.object(), data.file());
        assertEquals(0, data.fileOffset());
        assertFalse(data.written());
        assertArrayEquals(SMALL_BIN, slice(readRecord.payload(), data.data().offset(), data.data().length()));
        assertEquals(10_000, results(decoded, Compound4Res.class).stream().flatMap(c -> c.results().stream())
                .filter(r -> r instanceof Nfs4ResOp.Getattr g && g.attributes().fileId() != null
                        && g.attributes().type() == 1).map(r -> ((Nfs4ResOp.Getattr) r).attributes().size())
                .findFirst().orElseThrow());
    }

    @Test
    void aVmdkDescriptorIsRecognisedInTheReadData() {
        List<CapturedExchange.Decoded> decoded = replay("v4-vmdk-nfs.txt");
        CapturedExchange.Decoded readRecord = decoded.stream().filter(d -> !FileData.of(d.message()).isEmpty())
                .findFirst().orElseThrow();
        FileData data = FileData.of(readRecord.message()).get(0);
        ByteBuf payload = TrackedBuffers.of(readRecord.payload());
        try {
            assertEquals(VmdkSignature.Kind.DESCRIPTOR, VmdkSignature.byFirstBytes(payload, data.data().offset(),
                    data.data().length()).orElseThrow());
        } finally {
            payload.release();
        }
        assertEquals(VmdkSignature.Kind.UNSPECIFIED, VmdkSignature.byName("disk.vmdk").orElseThrow());
    }

    @Test
    void nfs4ExclusiveCreateIsFollowed() {
        List<CapturedExchange.Decoded> decoded = replay("v4-put-nfs.txt");
        Nfs4ArgOp.Open open = results(decoded, Compound4Res.class).stream().flatMap(c -> c.request().operations().stream())
                .filter(op -> op instanceof Nfs4ArgOp.Open).map(op -> (Nfs4ArgOp.Open) op).findFirst().orElseThrow();
        assertTrue(open.create());
        assertEquals(2, open.createMode());
        assertEquals("up4.bin", open.fileName());
        assertTrue(results(decoded, Compound4Res.class).stream().flatMap(c -> c.request().operations().stream())
                .anyMatch(op -> op instanceof Nfs4ArgOp.Setattr setattr && setattr.attributes().mask().contains(33)));
    }

    @Test
    void everyRecordOfEveryCaptureIsMatchedAndNothingIsLeftPending() {
        for (String name : List.of("v3-get-mount.txt", "v3-get-nfs.txt", "v3-put-nfs.txt", "v3-ls-nfs.txt",
                "v4-get-nfs.txt", "v4-vmdk-nfs.txt", "v4-put-nfs.txt")) {
            NfsConversation conversation = new NfsConversation(NfsLimits.defaults(), 16);
            List<CapturedExchange.Decoded> decoded = CapturedExchange.load(name).replay(conversation);
            long calls = decoded.stream().filter(d -> d.message() instanceof NfsCall).count();
            assertEquals(calls * 2, decoded.size(), name);
            assertTrue(decoded.stream().allMatch(d -> d.fromClient() == d.message() instanceof NfsCall), name);
            assertTrue(decoded.stream().filter(d -> d.message() instanceof NfsReply)
                    .allMatch(d -> ((NfsReply) d.message()).call() != null), name);
            assertEquals(0, conversation.pendingCalls().size(), name);
            assertEquals(0, conversation.pendingCalls().unmatched(), name);
        }
    }

    private static List<CapturedExchange.Decoded> replay(String name) {
        return CapturedExchange.load(name).replay(new NfsConversation(NfsLimits.defaults(), 64));
    }

    private static NfsResult result(CapturedExchange.Decoded decoded) {
        return decoded.message() instanceof NfsReply reply ? reply.result() : null;
    }

    private static <T> List<T> results(List<CapturedExchange.Decoded> decoded, Class<T> type) {
        return decoded.stream().map(CapturedTrafficTest::result).filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> T only(List<CapturedExchange.Decoded> decoded, Class<T> type) {
        List<T> found = results(decoded, type);
        assertEquals(1, found.size(), type.getSimpleName());
        return found.get(0);
    }

    private static byte[] slice(byte[] bytes, int offset, int length) {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
