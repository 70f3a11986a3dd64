package io.wanopt.proxy.demo;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic "disk-like" content for the demo and the benchmarks: what a virtual disk image of a
 * guest file system a quarter to half used looks like to a WAN optimizer, so dedupe and compression
 * ratios measured on it mean something.
 *
 * <p>The image is made of 4 KiB blocks in runs of 1 to {@value #MAX_RUN_BLOCKS} blocks of one kind; in
 * each 1 MiB region roughly 30% of the blocks are zeros, 20% text (log, config and prose lines from a
 * small vocabulary; compresses about 3-4x), 20% executable-like binary (opcodes, small integers,
 * records; about 1.5-2x), 15% random (already compressed media) and 15% copies of runs of data blocks
 * from earlier regions (duplicate files, shared libraries), 4 KiB-aligned. Every block is a function
 * of the seed and its index alone, so an image can be written in streaming fashion of any size, and a
 * copy of a block is made by generating its source again.
 */
public final class DiskImageGenerator {

    /** Largest image {@link #generate} returns in memory. */
    public static final long MAX_IN_MEMORY_SIZE = 1L << 30;

    private static final int BLOCK_SIZE = 4096;
    private static final int REGION_BLOCKS = 256;
    private static final int REGION_SIZE = REGION_BLOCKS * BLOCK_SIZE;
    private static final int MAX_RUN_BLOCKS = 32;
    /** Regions tried for the source of a duplicate run before the run is made random data instead. */
    private static final int DUPLICATE_SOURCE_ATTEMPTS = 8;

    private static final byte ZERO = 0;
    private static final byte TEXT = 1;
    private static final byte BINARY = 2;
    private static final byte RANDOM = 3;
    private static final byte DUPLICATE = 4;
    /** Percent of runs of each kind, indexed by kind. */
    private static final int[] KIND_PERCENT = {30, 20, 20, 15, 15};
    /** Percent of the data kinds (text, binary, random) that a modified block is rewritten with. */
    private static final int[] NEW_DATA_PERCENT = {0, 36, 37, 27};

    private static final long LAYOUT_SALT = 0x6c61796f75744c4cL;
    private static final long DUPLICATE_SALT = 0x6475706c69636174L;
    private static final long CONTENT_SALT = 0x636f6e74656e7443L;
    private static final long MODIFY_SALT = 0x6d6f646966794d4dL;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final byte[][] WORDS = words("""
            the of and to in is for on with as by at from that this be are was it or an not which
            file data server client request response error warning info debug user system service
            network connection timeout retry cache index block chunk segment page table record value
            key config option default enabled disabled path directory volume disk backup snapshot
            update install package version release build module library driver kernel process thread
            memory buffer queue stream session token account group policy rule host address port
            started stopped failed completed pending running waiting loaded saved created deleted
            read write open close sync flush commit rollback check verify scan copy move link mount
            time date size count total limit rate level status state mode type name id list map
            """);
    private static final byte[][] LEVELS = words("INFO INFO INFO INFO DEBUG DEBUG WARN ERROR");
    private static final byte[] LOG_MONTH = "2024-05-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONFIG_ASSIGN = " = ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] COMPONENTS = words("kernel sshd cron systemd nginx postgres smbd backupd");
    /** Opcodes of a typical instruction mix; the first few (moves, pushes, calls) dominate. */
    private static final byte[] OPCODES = {
        (byte) 0x8b, (byte) 0x89, (byte) 0x48, (byte) 0xe8, (byte) 0x55, (byte) 0x5d, (byte) 0xc3, (byte) 0x83,
        (byte) 0x85, (byte) 0x74, (byte) 0x75, (byte) 0xeb, (byte) 0x31, (byte) 0x0f, (byte) 0x8d, (byte) 0xff};

    private DiskImageGenerator() {
    }

    /** The first {@code size} bytes of the image of {@code seed}, in memory; at most {@link #MAX_IN_MEMORY_SIZE}. */
    public static byte[] generate(long size, long seed) {
        if (size < 0 || size > MAX_IN_MEMORY_SIZE) {
            throw new IllegalArgumentException(
                    "image size must be between 0 and " + MAX_IN_MEMORY_SIZE + " bytes, got " + size);
        }
        byte[] image = new byte[(int) size];
        for (long region = 0; region * REGION_SIZE < size; region++) {
            int offset = (int) (region * REGION_SIZE);
            fillRegion(seed, region, image, offset, (int) Math.min(REGION_SIZE, size - offset));
        }
        return image;
    }

    /** Writes the first {@code size} bytes of the image of {@code seed} to {@code file}, replacing it. */
    public static void write(Path file, long size, long seed) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("image size must not be negative, got " + size);
        }
        byte[] region = new byte[REGION_SIZE];
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long index = 0; index * REGION_SIZE < size; index++) {
                int length = (int) Math.min(REGION_SIZE, size - index * REGION_SIZE);
                fillRegion(seed, index, region, 0, length);
                writeFully(out, ByteBuffer.wrap(region, 0, length), index * REGION_SIZE);
            }
        }
    }

    /**
     * Copies {@code source} to {@code target}, then rewrites {@code fractionOfBlocksChanged} of its 4 KiB
     * blocks (rounded, chosen at random over the whole file) in place with new text, binary or random
     * content, as a guest does between two backups.
     */
    public static void writeModified(Path source, Path target, double fractionOfBlocksChanged, long seed)
            throws IOException {
        if (!(fractionOfBlocksChanged >= 0 && fractionOfBlocksChanged <= 1)) {
            throw new IllegalArgumentException(
                    "fraction of blocks changed must be between 0 and 1, got " + fractionOfBlocksChanged);
        }
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        long size = Files.size(target);
        long blocks = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
        long[] changed = distinctBlocks(blocks, Math.round(blocks * fractionOfBlocksChanged), seed);
        long contentSeed = mix(seed, MODIFY_SALT);
        SplittableRandom kinds = new SplittableRandom(contentSeed);
        byte[] block = new byte[BLOCK_SIZE];
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
            for (long index : changed) {
                fillData(contentSeed, index, pick(kinds, NEW_DATA_PERCENT), block, 0);
                long position = index * BLOCK_SIZE;
                writeFully(out, ByteBuffer.wrap(block, 0, (int) Math.min(BLOCK_SIZE, size - position)), position);
            }
        }
    }

    /** {@code count} distinct block indices below {@code blocks}, ascending (Floyd's sampling). */
    private static long[] distinctBlocks(long blocks, long count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Long> chosen = new HashSet<>();
        for (long candidateLimit = blocks - count; candidateLimit < blocks; candidateLimit++) {
            long candidate = random.nextLong(candidateLimit + 1);
            chosen.add(chosen.contains(candidate) ? candidateLimit : candidate);
        }
        return chosen.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static void writeFully(FileChannel out, ByteBuffer data, long position) throws IOException {
        while (data.hasRemaining()) {
            position += out.write(data, position);
        }
    }

    /** Fills {@code length} bytes (at most one region) of region {@code region} into {@code dest} at {@code offset}. */
    private static void fillRegion(long seed, long region, byte[] dest, int offset, int length) {
        byte[] kinds = layout(seed, region);
        Duplicates duplicates = resolveDuplicates(seed, region, kinds);
        byte[] partial = length % BLOCK_SIZE == 0 ? null : new byte[BLOCK_SIZE];
        for (int block = 0; block * BLOCK_SIZE < length; block++) {
            int blockOffset = offset + block * BLOCK_SIZE;
            boolean whole = length - block * BLOCK_SIZE >= BLOCK_SIZE;
            byte[] target = whole ? dest : partial;
            int targetOffset = whole ? blockOffset : 0;
            if (kinds[block] == ZERO) {
                Arrays.fill(target, targetOffset, targetOffset + BLOCK_SIZE, (byte) 0);
            } else if (kinds[block] == DUPLICATE) {
                fillData(seed, duplicates.sourceBlocks[block], duplicates.sourceKinds[block], target, targetOffset);
            } else {
                fillData(seed, region * REGION_BLOCKS + block, kinds[block], target, targetOffset);
            }
            if (!whole) {
                System.arraycopy(partial, 0, dest, blockOffset, length - block * BLOCK_SIZE);
            }
        }
    }

    /** For each duplicate block of a region, the index and the kind of the data block it copies. */
    private record Duplicates(long[] sourceBlocks, byte[] sourceKinds) {
    }

    /** The kind of each block of {@code region}, from the seed alone; duplicates are resolved separately. */
    private static byte[] layout(long seed, long region) {
        SplittableRandom random = new SplittableRandom(mix(mix(seed, LAYOUT_SALT), region));
        byte[] kinds = new byte[REGION_BLOCKS];
        int block = 0;
        while (block < REGION_BLOCKS) {
            byte kind = pick(random, KIND_PERCENT);
            int end = Math.min(REGION_BLOCKS, block + 1 + random.nextInt(MAX_RUN_BLOCKS));
            if (kind == DUPLICATE && region == 0) {
                continue;
            }
            Arrays.fill(kinds, block, end, kind);
            block = end;
        }
        return kinds;
    }

    /**
     * The sources of the duplicate blocks of {@code region}: each duplicate run copies part of a run
     * of data blocks of an earlier region. A block that finds no data to copy becomes random data in
     * {@code kinds}.
     */
    private static Duplicates resolveDuplicates(long seed, long region, byte[] kinds) {
        Duplicates duplicates = new Duplicates(new long[REGION_BLOCKS], new byte[REGION_BLOCKS]);
        SplittableRandom random = new SplittableRandom(mix(mix(seed, DUPLICATE_SALT), region));
        int block = 0;
        while (block < REGION_BLOCKS) {
            if (kinds[block] != DUPLICATE) {
                block++;
                continue;
            }
            int copied = 0;
            for (int attempt = 0; attempt < DUPLICATE_SOURCE_ATTEMPTS && copied == 0; attempt++) {
                long sourceRegion = random.nextLong(region);
                byte[] sourceKinds = layout(seed, sourceRegion);
                int sourceBlock = random.nextInt(REGION_BLOCKS);
                while (sourceBlock < REGION_BLOCKS && !isData(sourceKinds[sourceBlock])) {
                    sourceBlock++;
                }
                while (block + copied < REGION_BLOCKS && kinds[block + copied] == DUPLICATE
                        && sourceBlock < REGION_BLOCKS && isData(sourceKinds[sourceBlock])) {
                    duplicates.sourceBlocks[block + copied] = sourceRegion * REGION_BLOCKS + sourceBlock;
                    duplicates.sourceKinds[block + copied] = sourceKinds[sourceBlock];
                    copied++;
                    sourceBlock++;
                }
            }
            if (copied == 0) {
                kinds[block] = RANDOM;
                copied = 1;
            }
            block += copied;
        }
        return duplicates;
    }

    private static boolean isData(byte kind) {
        return kind == TEXT || kind == BINARY || kind == RANDOM;
    }

    private static byte pick(SplittableRandom random, int[] percent) {
        int roll = random.nextInt(100);
        byte kind = 0;
        while (roll >= percent[kind]) {
            roll -= percent[kind];
            kind++;
        }
        return kind;
    }

    /** Fills one block of data of {@code kind}, determined by {@code seed} and the block's {@code index}. */
    private static void fillData(long seed, long index, byte kind, byte[] dest, int offset) {
        SplittableRandom random = new SplittableRandom(mix(mix(seed, CONTENT_SALT), index));
        switch (kind) {
            case TEXT -> fillText(random, dest, offset);
            case BINARY -> fillBinary(random, dest, offset);
            case RANDOM -> fillRandom(random, dest, offset, offset + BLOCK_SIZE);
            default -> throw new IllegalStateException("not a data kind: " + kind);
        }
    }

    private static void fillRandom(SplittableRandom random, byte[] dest, int from, int to) {
        int position = from;
        for (; position + Long.BYTES <= to; position += Long.BYTES) {
            LONGS.set(dest, position, random.nextLong());
        }
        for (; position < to; position++) {
            dest[position] = (byte) random.nextInt();
        }
    }

    /** Lines like logs ("2024-05-07 13:02:41 INFO sshd: ..."), config ("key.name = 42") and prose. */
    private static void fillText(SplittableRandom random, byte[] dest, int offset) {
        int end = offset + BLOCK_SIZE;
        int position = offset;
        while (position < end) {
            int style = random.nextInt(4);
            if (style <= 1) {
                position = put(dest, position, end, LOG_MONTH);
                position = putTwoDigits(dest, position, end, 1 + random.nextInt(28));
                position = put(dest, position, end, (byte) ' ');
                position = putTwoDigits(dest, position, end, random.nextInt(24));
                position = put(dest, position, end, (byte) ':');
                position = putTwoDigits(dest, position, end, random.nextInt(60));
                position = put(dest, position, end, (byte) ':');
                position = putTwoDigits(dest, position, end, random.nextInt(60));
                position = put(dest, position, end, (byte) ' ');
                position = put(dest, position, end, LEVELS[random.nextInt(LEVELS.length)]);
                position = put(dest, position, end, (byte) ' ');
                position = put(dest, position, end, COMPONENTS[random.nextInt(COMPONENTS.length)]);
                position = put(dest, position, end, (byte) ':');
                position = putWords(random, dest, position, end, 4 + random.nextInt(8));
            } else if (style == 2) {
                position = put(dest, position, end, WORDS[random.nextInt(WORDS.length)]);
                position = put(dest, position, end, (byte) '.');
                position = put(dest, position, end, WORDS[random.nextInt(WORDS.length)]);
                position = put(dest, position, end, CONFIG_ASSIGN);
                position = putTwoDigits(dest, position, end, random.nextInt(100));
            } else {
                position = putWords(random, dest, position, end, 6 + random.nextInt(12));
                position = put(dest, position, end, (byte) '.');
            }
            position = put(dest, position, end, (byte) '\n');
        }
    }

    private static int putWords(SplittableRandom random, byte[] dest, int position, int end, int count) {
        for (int i = 0; i < count; i++) {
            position = put(dest, position, end, (byte) ' ');
            position = put(dest, position, end, WORDS[random.nextInt(WORDS.length)]);
        }
        return position;
    }

    /**
     * Machine code and its tables: opcodes from a skewed set with small register operands, small or
     * address-like 32-bit immediates, symbol-table records of mostly fixed fields, and a few random
     * constants. Each item's fields are cut from one random long, which keeps this fast.
     */
    private static void fillBinary(SplittableRandom random, byte[] dest, int offset) {
        int end = offset + BLOCK_SIZE;
        int position = offset;
        while (position < end) {
            long bits = random.nextLong();
            int roll = (int) (bits & 15);
            if (roll < 9) {
                // Skewed towards the first opcodes: the smaller of two draws.
                int opcode = (int) Math.min((bits >>> 4) & 15, (bits >>> 8) & 15);
                position = put(dest, position, end, OPCODES[opcode]);
                position = put(dest, position, end, (byte) (0xc0 | (bits >>> 12) & 7));
            } else if (roll < 12) {
                position = putInt(dest, position, end, (int) ((bits >>> 16) & 0xff));
            } else if (roll < 14) {
                position = putInt(dest, position, end, 0x00400000 | (int) ((bits >>> 16) & 0xffff));
            } else if (roll < 15) {
                position = putInt(dest, position, end, (int) ((bits >>> 4) & 0xfff));
                position = put(dest, position, end, (byte) (1 + ((bits >>> 16) & 3)));
                position = put(dest, position, end, (byte) 0);
                position = putInt(dest, position, end, 0x00400000 | (int) ((bits >>> 18) & 0xffff));
                position = putInt(dest, position, end, (int) ((bits >>> 34) & 0x1ff));
                position = putInt(dest, position, end, 0);
            } else {
                position = putInt(dest, position, end, (int) (bits >>> 32));
            }
        }
    }

    private static int putTwoDigits(byte[] dest, int position, int end, int value) {
        position = put(dest, position, end, (byte) ('0' + value / 10));
        return put(dest, position, end, (byte) ('0' + value % 10));
    }

    private static int putInt(byte[] dest, int position, int end, int value) {
        for (int shift = 0; shift < Integer.SIZE && position < end; shift += Byte.SIZE) {
            dest[position++] = (byte) (value >>> shift);
        }
        return position;
    }

    private static int put(byte[] dest, int position, int end, byte value) {
        if (position < end) {
            dest[position++] = value;
        }
        return position;
    }

    private static int put(byte[] dest, int position, int end, byte[] bytes) {
        int length = Math.min(bytes.length, end - position);
        System.arraycopy(bytes, 0, dest, position, length);
        return position + length;
    }

    private static byte[][] words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).map(word -> word.getBytes(StandardCharsets.US_ASCII))
                .toArray(byte[][]::new);
    }

    /** A well-spread 64-bit hash of a seed and a value (the SplitMix64 finalizer). */
    private static long mix(long seed, long value) {
        long z = seed + value * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
