package io.wanopt.cache.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.wanopt.protocols.MalformedInputException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * How a batch's literal bytes cross the WAN. The code is the byte on the wire; an encoder that finds
 * its compressor does not shrink a batch sends it {@link #RAW}.
 */
public enum LiteralCodec {
    RAW(0),
    LZ4(1),
    ZSTD(2);

    private static final LZ4Compressor LZ4_COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();

    private final int code;

    LiteralCodec(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** The codec for a wire code; an unknown code is malformed input. */
    public static LiteralCodec ofCode(int code, long offset) {
        return switch (code) {
            case 0 -> RAW;
            case 1 -> LZ4;
            case 2 -> ZSTD;
            default -> throw new MalformedInputException(
                    "unknown literal codec " + code + " (expected: 0-2) at offset " + offset);
        };
    }

    /** Room {@link #compress} may need for {@code length} input bytes. */
    public int maxCompressedLength(int length) {
        return switch (this) {
            case RAW -> length;
            case LZ4 -> LZ4_COMPRESSOR.maxCompressedLength(length);
            case ZSTD -> (int) Zstd.compressBound(length);
        };
    }

    /**
     * Compresses {@code length} bytes of {@code src} into {@code dst} from 0.
     *
     * @return the compressed length, or -1 when it would not be shorter than the input
     */
    public int compress(byte[] src, int length, byte[] dst, int zstdLevel) {
        int written = switch (this) {
            case RAW -> -1;
            case LZ4 -> LZ4_COMPRESSOR.compress(src, 0, length, dst, 0, dst.length);
            case ZSTD -> {
                long result = Zstd.compressByteArray(dst, 0, dst.length, src, 0, length, zstdLevel);
                if (Zstd.isError(result)) {
                    throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(result));
                }
                yield (int) result;
            }
        };
        return written >= 0 && written < length ? written : -1;
    }

    /**
     * Decompresses exactly {@code rawLength} bytes into {@code dst}; anything else is malformed input.
     */
    public void decompress(byte[] src, int srcOffset, int srcLength, byte[] dst, int rawLength, long offset) {
        int produced;
        switch (this) {
            case RAW -> {
                if (srcLength != rawLength) {
                    throw new MalformedInputException("raw literal block of " + srcLength
                            + " bytes for " + rawLength + " literal bytes at offset " + offset);
                }
                System.arraycopy(src, srcOffset, dst, 0, rawLength);
                return;
            }
            case LZ4 -> {
                try {
                    produced = LZ4_DECOMPRESSOR.decompress(src, srcOffset, srcLength, dst, 0, rawLength);
                } catch (LZ4Exception e) {
                    throw new MalformedInputException("corrupt LZ4 literal block at offset " + offset + ": "
                            + e.getMessage());
                }
            }
            case ZSTD -> {
                long result;
                try {
                    result = Zstd.decompressByteArray(dst, 0, rawLength, src, srcOffset, srcLength);
                } catch (ZstdException e) {
                    throw new MalformedInputException("corrupt zstd literal block at offset " + offset + ": "
                            + e.getMessage());
                }
                if (Zstd.isError(result)) {
                    throw new MalformedInputException("corrupt zstd literal block at offset " + offset + ": "
                            + Zstd.getErrorName(result));
                }
                produced = (int) result;
            }
            default -> throw new IllegalStateException(name());
        }
        if (produced != rawLength) {
            throw new MalformedInputException("literal block decompressed to " + produced + " bytes (expected: "
                    + rawLength + ") at offset " + offset);
        }
    }
}
