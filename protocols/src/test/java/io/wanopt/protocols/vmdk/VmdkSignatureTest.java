package io.wanopt.protocols.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.wanopt.protocols.TrackedBuffers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmdkSignatureTest {

    @Test
    void byName() {
        assertEquals(Optional.of(VmdkSignature.Kind.FLAT), VmdkSignature.byName("web01-flat.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.FLAT), VmdkSignature.byName("web01-f002.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.VMFS_SPARSE), VmdkSignature.byName("web01-000001-delta.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.SE_SPARSE), VmdkSignature.byName("WEB01-000002-SESPARSE.VMDK"));
        assertEquals(Optional.of(VmdkSignature.Kind.HOSTED_SPARSE), VmdkSignature.byName("web01-s001.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.CHANGE_TRACKING), VmdkSignature.byName("web01-ctk.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.UNSPECIFIED), VmdkSignature.byName("web01.vmdk"));
        assertEquals(Optional.of(VmdkSignature.Kind.UNSPECIFIED), VmdkSignature.byName("web01-000001.vmdk"));
        assertEquals(Optional.empty(), VmdkSignature.byName("web01.vmx"));
        assertEquals(Optional.empty(), VmdkSignature.byName("vmdk"));
    }

    @Test
    void qemuMadeHostedSparseHeaders() throws IOException {
        assertEquals(Optional.of(VmdkSignature.Kind.HOSTED_SPARSE), detect(hexResource("monolithic-sparse-sector0.hex")));
        assertEquals(Optional.of(VmdkSignature.Kind.HOSTED_SPARSE), detect(hexResource("stream-optimized-sector0.hex")));
    }

    @Test
    void qemuMadeDescriptor() throws IOException {
        try (InputStream in = VmdkSignatureTest.class.getResourceAsStream("/vmdk/monolithic-flat-descriptor.vmdk")) {
            assertEquals(Optional.of(VmdkSignature.Kind.DESCRIPTOR), detect(in.readAllBytes()));
        }
    }

    @Test
    void esxRedoLogAndSeSparseMagics() {
        byte[] cowd = new byte[512];
        System.arraycopy("COWD".getBytes(StandardCharsets.US_ASCII), 0, cowd, 0, 4);
        cowd[4] = 1;
        assertEquals(Optional.of(VmdkSignature.Kind.VMFS_SPARSE), detect(cowd));
        byte[] seSparse = new byte[512];
        byte[] magic = {(byte) 0xbe, (byte) 0xba, (byte) 0xfe, (byte) 0xca, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0};
        System.arraycopy(magic, 0, seSparse, 0, magic.length);
        assertEquals(Optional.of(VmdkSignature.Kind.SE_SPARSE), detect(seSparse));
        // the magic as a big-endian u64 is not SE sparse
        byte[] wrongEndian = new byte[512];
        wrongEndian[4] = (byte) 0xca;
        wrongEndian[5] = (byte) 0xfe;
        wrongEndian[6] = (byte) 0xba;
        wrongEndian[7] = (byte) 0xbe;
        assertEquals(Optional.empty(), detect(wrongEndian));
    }

    @Test
    void otherDataAndShortProbes() {
        byte[] mbr = new byte[512];
        mbr[510] = 0x55;
        mbr[511] = (byte) 0xAA;
        assertEquals(Optional.empty(), detect(mbr));
        assertEquals(Optional.empty(), detect("KDM".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), detect("# Disk Descriptor".getBytes(StandardCharsets.US_ASCII)));
        ByteBuf inTheMiddle = TrackedBuffers.ascii("xxxxKDMVyyyy");
        try {
            assertEquals(Optional.of(VmdkSignature.Kind.HOSTED_SPARSE), VmdkSignature.byFirstBytes(inTheMiddle, 4, 8));
            assertEquals(Optional.empty(), VmdkSignature.byFirstBytes(inTheMiddle, 4, 3));
        } finally {
            inTheMiddle.release();
        }
    }

    private static Optional<VmdkSignature.Kind> detect(byte[] firstBytes) {
        ByteBuf buf = TrackedBuffers.of(firstBytes);
        try {
            return VmdkSignature.byFirstBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] hexResource(String name) throws IOException {
        try (InputStream in = VmdkSignatureTest.class.getResourceAsStream("/vmdk/" + name)) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
        }
    }
}
