package io.wanopt.protocols.nfs.v4;

import io.wanopt.protocols.nfs.NfsLimits;
import io.wanopt.protocols.oncrpc.XdrReader;
import java.util.Arrays;

/**
 * RFC 7530 §3.3.7 {@code bitmap4}: a set of attribute numbers, bit {@code n % 32} of word {@code n / 32}.
 * Immutable.
 */
public final class Bitmap4 {

    private final int[] words;

    private Bitmap4(int[] words) {
        this.words = words;
    }

    /** The set of {@code attributes}. */
    public static Bitmap4 of(int... attributes) {
        int max = Arrays.stream(attributes).max().orElse(-1);
        int[] words = new int[max / 32 + 1];
        for (int attribute : attributes) {
            words[attribute / 32] |= 1 << (attribute % 32);
        }
        return new Bitmap4(words);
    }

    /** Reads a {@code bitmap4} of at most {@link NfsLimits#maxBitmapWords()} words. */
    public static Bitmap4 read(XdrReader xdr, String what, NfsLimits limits) {
        int count = xdr.readCount(what, limits.maxBitmapWords(), 4);
        int[] words = new int[count];
        for (int i = 0; i < count; i++) {
            words[i] = xdr.readInt(what);
        }
        return new Bitmap4(words);
    }

    public boolean contains(int attribute) {
        return attribute >= 0 && attribute / 32 < words.length && (words[attribute / 32] & (1 << (attribute % 32))) != 0;
    }

    /** The smallest attribute in the set that is {@code >= from}, or -1. */
    public int next(int from) {
        for (int attribute = Math.max(from, 0); attribute < words.length * 32; attribute++) {
            if (contains(attribute)) {
                return attribute;
            }
        }
        return -1;
    }

    /** Words as sent. */
    public int wordCount() {
        return words.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bitmap4 bitmap && Arrays.equals(words, bitmap.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int attribute = next(0); attribute >= 0; attribute = next(attribute + 1)) {
            text.append(text.length() > 1 ? "," : "").append(attribute);
        }
        return text.append('}').toString();
    }
}
