package io.wanopt.protocols.disk.vmdk;

import static io.wanopt.protocols.disk.ExternalCommand.assumeInstalled;
import static io.wanopt.protocols.disk.ExternalCommand.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wanopt.protocols.MalformedInputException;
import io.wanopt.protocols.disk.FileSource;
import io.wanopt.protocols.disk.Sha256;
import io.wanopt.protocols.disk.UnsupportedFormatException;
import io.wanopt.protocols.disk.vmdk.GuestRange.Allocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmdkImageTest {

    private static final int MIB = 1 << 20;
    private static final int GRAIN = 64 << 10;
    private static final Pattern MAP_ENTRY = Pattern.compile("\\{[^}]*}");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat",
        "streamOptimized"})
    void guestDiskReadThroughTheMapEqualsTheRawFile(String subformat) throws Exception {
        assumeInstalled("qemu-img");
        Path raw = rawFixture();
        Path vmdk = dir.resolve("disk.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(),
                vmdk.toString());

        try (FileSource file = FileSource.open(vmdk);
                VmdkImage image = VmdkImage.open(file, "disk.vmdk", FileSource.opener(dir));
                FileSource rawSource = FileSource.open(raw)) {
            assertEquals(subformat, image.descriptor().orElseThrow().createType());
            assertEquals(Files.size(raw), image.size());
            assertEquals(Sha256.of(rawSource), Sha256.of(image));
            assertEquals(qemuGrains(vmdk, image.size()), ourGrains(image));
            // qemu-img convert leaves all-zero grains unallocated: 1 MiB + 100 KiB (2 grains) + 512 KiB stored.
            long storedGrains = MIB + 2L * GRAIN + MIB / 2;
            if (subformat.equals("streamOptimized")) {
                assertEquals(storedGrains, image.bytes(Allocation.COMPRESSED));
            } else if (subformat.endsWith("Sparse")) {
                assertEquals(storedGrains, image.bytes(Allocation.DATA));
            } else {
                assertEquals(image.size(), image.bytes(Allocation.DATA));
            }
        }
    }

    @Test
    void zeroedGrainEntriesMapAsZero() throws Exception {
        assumeInstalled("qemu-img", "qemu-io");
        Path vmdk = dir.resolve("zeroed.vmdk");
        run("qemu-img", "create", "-f", "vmdk", "-o", "zeroed_grain=on", vmdk.toString(), "4M");
        run("qemu-io", "-f", "vmdk", "-c", "write -P 0x55 0 2M", "-c", "write -z 1M 512k", vmdk.toString());

        try (FileSource file = FileSource.open(vmdk); VmdkImage image = VmdkImage.open(file, "zeroed.vmdk",
                FileSource.opener(dir))) {
            assertEquals(qemuGrains(vmdk, image.size()), ourGrains(image));
            assertEquals(MIB / 2, image.bytes(Allocation.ZERO));
            assertEquals(3L * MIB / 2, image.bytes(Allocation.DATA));
            assertEquals(2L * MIB, image.bytes(Allocation.UNALLOCATED));
            byte[] zeroed = new byte[GRAIN];
            Arrays.fill(zeroed, (byte) 1);
            image.read(MIB, zeroed, 0, GRAIN);
            assertTrue(allZero(zeroed));
        }
    }

    /**
     * VMware writes streamOptimized with the grain directory at the end, named by a footer; qemu-img
     * cannot, so the test rewrites qemu's file in that layout (and lets qemu confirm it reads the same).
     */
    @Test
    void streamOptimizedInVmwareLayout() throws Exception {
        assumeInstalled("qemu-img");
        Path raw = rawFixture();
        Path qemuStream = dir.resolve("qemu-stream.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(),
                qemuStream.toString());
        Path vmware = dir.resolve("vmware-stream.vmdk");
        Files.write(vmware, SynthesisedExtents.vmwareLayout(Files.readAllBytes(qemuStream)));
        run("qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw.toString(), vmware.toString());

        try (FileSource file = FileSource.open(vmware); FileSource rawSource = FileSource.open(raw);
                VmdkImage image = VmdkImage.open(file, "vmware-stream.vmdk", FileSource.opener(dir))) {
            assertEquals(Sha256.of(rawSource), Sha256.of(image));
            assertEquals(qemuGrains(vmware, image.size()), ourGrains(image));
            assertEquals(MIB + 2L * GRAIN + MIB / 2, image.bytes(Allocation.COMPRESSED));
        }

        // The same header without a footer behind it.
        byte[] noFooter = Files.readAllBytes(qemuStream);
        ByteBuffer.wrap(noFooter).order(ByteOrder.LITTLE_ENDIAN).putLong(56, SparseExtentHeader.GD_AT_END);
        Path bad = dir.resolve("no-footer.vmdk");
        Files.write(bad, noFooter);
        try (FileSource file = FileSource.open(bad)) {
            assertThrows(MalformedInputException.class, () -> VmdkImage.open(file, "no-footer.vmdk",
                    FileSource.opener(dir)));
        }
    }

    /**
     * An ESX redo log (COWD) with no parent, written by the test from the raw fixture (qemu-img cannot
     * create one) and named by a vmfsSparse descriptor; qemu confirms it reads as the raw file.
     */
    @Test
    void cowdRedoLog() throws Exception {
        assumeInstalled("qemu-img");
        Path raw = rawFixture();
        byte[] disk = Files.readAllBytes(raw);
        Files.write(dir.resolve("disk-delta.vmdk"), SynthesisedExtents.cowd(disk));
        Path descriptor = dir.resolve("disk.vmdk");
        Files.writeString(descriptor, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                + "createType=\"vmfsSparse\"\nRW " + disk.length / 512 + " VMFSSPARSE \"disk-delta.vmdk\"\n");
        run("qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw.toString(), descriptor.toString());

        try (FileSource file = FileSource.open(descriptor); FileSource rawSource = FileSource.open(raw);
                VmdkImage image = VmdkImage.open(file, "disk.vmdk", FileSource.opener(dir))) {
            assertEquals(Sha256.of(rawSource), Sha256.of(image));
            assertEquals(qemuGrains(descriptor, image.size()), ourGrains(image));
            assertEquals(MIB + 2L * GRAIN + MIB / 2, image.bytes(Allocation.DATA));
        }
    }

    /**
     * An SE sparse extent (4 KiB grains, u64 entries) written by the test from the raw fixture in the
     * layout qemu checks (no tool here creates one), named by a seSparse descriptor; qemu confirms it
     * reads as the raw file.
     */
    @Test
    void seSparseExtent() throws Exception {
        assumeInstalled("qemu-img");
        Path raw = rawFixture();
        byte[] disk = Files.readAllBytes(raw);
        Files.write(dir.resolve("disk-sesparse.vmdk"), SynthesisedExtents.seSparse(disk));
        Path descriptor = dir.resolve("disk.vmdk");
        Files.writeString(descriptor, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                + "createType=\"seSparse\"\nRW " + disk.length / 512 + " SESPARSE \"disk-sesparse.vmdk\"\n");
        run("qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw.toString(), descriptor.toString());

        try (FileSource file = FileSource.open(descriptor); FileSource rawSource = FileSource.open(raw);
                VmdkImage image = VmdkImage.open(file, "disk.vmdk", FileSource.opener(dir))) {
            assertEquals(Sha256.of(rawSource), Sha256.of(image));
            assertEquals(qemuGrains(descriptor, image.size()), ourGrains(image));
            // 4 KiB grains: 100 KiB of the partial region is 25 grains, not 2 x 64 KiB.
            assertEquals(MIB + (100 << 10) + MIB / 2, image.bytes(Allocation.DATA));
        }
    }

    /** A child disk (snapshot) of a sparse base reads through the chain, as qemu reads it. */
    @Test
    void childDiskReadsThroughItsParent() throws Exception {
        assumeInstalled("qemu-img", "qemu-io");
        Path base = dir.resolve("base.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse",
                rawFixture().toString(), base.toString());
        Path child = dir.resolve("child.vmdk");
        run("qemu-img", "create", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child.toString());
        run("qemu-io", "-f", "vmdk", "-c", "write -P 0x77 64k 128k", "-c", "write -P 0x11 5M 64k", child.toString());
        Path childRaw = dir.resolve("child.raw");
        run("qemu-img", "convert", "-O", "raw", child.toString(), childRaw.toString());

        try (FileSource file = FileSource.open(child); FileSource rawSource = FileSource.open(childRaw);
                VmdkImage image = VmdkImage.open(file, "child.vmdk", FileSource.opener(dir))) {
            assertEquals(List.of("child.vmdk", "base.vmdk"), image.extentFiles());
            assertEquals(Sha256.of(rawSource), Sha256.of(image));
            assertEquals(qemuGrains(child, image.size()), ourGrains(image));
            assertEquals(0, image.rangeAt(64 << 10).extentIndex());
            assertEquals(1, image.rangeAt(0).extentIndex());
        }

        // The base changes (a new CID): the child no longer matches it.
        byte[] bytes = Files.readAllBytes(base);
        String text = new String(bytes, 512, 20 * 512, StandardCharsets.US_ASCII);
        int at = 512 + text.indexOf("CID=") + 4;
        bytes[at] = (byte) (bytes[at] == '0' ? '1' : '0');
        Files.write(base, bytes);
        try (FileSource file = FileSource.open(child)) {
            MalformedInputException e = assertThrows(MalformedInputException.class,
                    () -> VmdkImage.open(file, "child.vmdk", FileSource.opener(dir)));
            assertTrue(e.getMessage().contains("parentCID"), e.getMessage());
        }
    }

    @Test
    void corruptHeadersGiveMalformedInput() throws Exception {
        assumeInstalled("qemu-img");
        Path vmdk = dir.resolve("good.vmdk");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse",
                rawFixture().toString(), vmdk.toString());
        byte[] good = Files.readAllBytes(vmdk);

        assertMalformed(good, 4, 4, 9);                   // version
        assertMalformed(good, 20, 8, 3);                  // grainSize not a power of two
        assertMalformed(good, 20, 8, 1L << 40);           // grainSize huge
        assertMalformed(good, 12, 8, Long.MAX_VALUE);     // capacity huge
        assertMalformed(good, 12, 8, 1L << 40);           // capacity within cap, grain directory past the end
        assertMalformed(good, 44, 4, 0xffffffffL);        // numGTEsPerGT
        assertMalformed(good, 56, 8, -2L);                // gdOffset
        assertMalformed(good, 56, 8, good.length / 512);  // gdOffset at the end of the file
        assertMalformed(good, 28, 8, 1L << 50);           // descriptorOffset
        assertMalformed(good, 36, 8, 1L << 30);           // descriptorSize

        // A grain-table entry pointing past the end of the file.
        long gdOffset = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(56) * 512;
        long gtOffset = (ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt((int) gdOffset) & 0xffffffffL) * 512;
        assertMalformed(good, gtOffset, 4, 0xfffffff0L);
        // Truncated files.
        for (int length : new int[] {0, 100, 511, 600, good.length / 2}) {
            assertOnlyOurExceptions(Arrays.copyOf(good, length));
        }
    }

    @Test
    void extentTypesNotMappedYetAreUnsupported() throws Exception {
        Path descriptor = dir.resolve("snap.vmdk");
        Files.writeString(descriptor, "version=1\ncreateType=\"vmfsRDM\"\nRW 2048 VMFSRDM \"snap-rdm.vmdk\"\n");
        try (FileSource file = FileSource.open(descriptor)) {
            UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                    () -> VmdkImage.open(file, "snap.vmdk", FileSource.opener(dir)));
            assertTrue(e.getMessage().contains("VMFSRDM"), e.getMessage());
        }
    }

    @Test
    void descriptorErrors() {
        assertThrows(MalformedInputException.class, () -> VmdkDescriptor.parse("createType=\"x\"\n"));
        assertThrows(MalformedInputException.class, () -> VmdkDescriptor.parse("version=7\n"));
        assertThrows(MalformedInputException.class, () -> VmdkDescriptor.parse("version=1\nRW 99999999999999999999 FLAT \"a\" 0\n"));
        assertThrows(MalformedInputException.class, () -> VmdkDescriptor.parse("version=1\nRW 8 BOGUS \"a\"\n"));
        assertThrows(MalformedInputException.class, () -> VmdkDescriptor.parse("version=1\nRW 8 FLAT\n"));
        VmdkDescriptor d = VmdkDescriptor.parse("# Disk DescriptorFile\r\nversion=1\r\ncreateType=\"custom\"\r\n"
                + "RW 8 FLAT \"a-flat.vmdk\" 2\r\nRDONLY 16 ZERO\r\n\0\0\0");
        assertEquals("custom", d.createType());
        assertEquals(List.of(new VmdkDescriptor.Extent("RW", 8, VmdkDescriptor.ExtentType.FLAT, "a-flat.vmdk", 2),
                new VmdkDescriptor.Extent("RDONLY", 16, VmdkDescriptor.ExtentType.ZERO, "", 0)), d.extents());
    }

    private void assertMalformed(byte[] good, long at, int width, long value) throws IOException {
        byte[] bad = good.clone();
        ByteBuffer b = ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 4) {
            b.putInt((int) at, (int) value);
        } else {
            b.putLong((int) at, value);
        }
        Path file = dir.resolve("bad.vmdk");
        Files.write(file, bad);
        try (FileSource source = FileSource.open(file)) {
            assertThrows(MalformedInputException.class, () -> VmdkImage.open(source, "bad.vmdk",
                    FileSource.opener(dir)), "field at " + at + " = " + value);
        }
    }

    private void assertOnlyOurExceptions(byte[] bytes) throws IOException {
        Path file = dir.resolve("cut.vmdk");
        Files.write(file, bytes);
        try (FileSource source = FileSource.open(file)) {
            assertThrows(MalformedInputException.class, () -> VmdkImage.open(source, "cut.vmdk",
                    FileSource.opener(dir)), bytes.length + " bytes");
        }
    }

    /** 8 MiB: 1 MiB random, 2 MiB zeros, 100 KiB random, zeros, 512 KiB of 0x5A at 7 MiB, zeros. */
    private Path rawFixture() throws IOException {
        byte[] disk = new byte[8 * MIB];
        Random random = new Random(6);
        byte[] noise = new byte[MIB];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, disk, 0, MIB);
        System.arraycopy(noise, 0, disk, 3 * MIB, 100 << 10);
        Arrays.fill(disk, 7 * MIB, 7 * MIB + MIB / 2, (byte) 0x5a);
        Path raw = dir.resolve("disk.raw");
        Files.write(raw, disk);
        return raw;
    }

    /**
     * Per 64 KiB grain: "D@fileOffset", "D" (compressed), "Z" (zeroed) or "U" (unallocated), from {@code qemu-img map}
     * (whose zero:true data:true runs are holes in a flat file: stored, so "D").
     */
    private static List<String> qemuGrains(Path vmdk, long size) throws Exception {
        List<String> grains = new ArrayList<>();
        Matcher entries = MAP_ENTRY.matcher(run("qemu-img", "map", "--output=json", vmdk.toString()));
        while (entries.find()) {
            String e = entries.group();
            long start = field(e, "start");
            long length = field(e, "length");
            boolean present = e.contains("\"present\": true");
            boolean data = e.contains("\"data\": true");
            boolean zero = e.contains("\"zero\": true");
            // Flat extents map in runs that need not start on a grain; take each grain's first byte.
            for (long at = (start + GRAIN - 1) / GRAIN * GRAIN; at < start + length; at += GRAIN) {
                // Compressed grains have no plain file offset, and qemu gives none.
                String stored = e.contains("\"offset\"") ? "D@" + (field(e, "offset") + at - start) : "D";
                grains.add(!present ? "U" : data ? stored : zero ? "Z" : "?");
            }
        }
        assertEquals(size / GRAIN, grains.size());
        return grains;
    }

    private static List<String> ourGrains(VmdkImage image) {
        List<String> grains = new ArrayList<>();
        for (long at = 0; at < image.size(); at += GRAIN) {
            GuestRange r = image.rangeAt(at);
            grains.add(switch (r.allocation()) {
                case DATA -> "D@" + (r.fileOffset() + at - r.guestOffset());
                case COMPRESSED -> "D";
                case ZERO -> "Z";
                case UNALLOCATED -> "U";
            });
        }
        return grains;
    }

    private static long field(String entry, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(entry);
        assertTrue(m.find(), name + " in " + entry);
        return Long.parseLong(m.group(1));
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
