package io.wanopt.protocols.disk;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a whole source, for tests that compare a disk read through a map with its original. */
public final class Sha256 {

    private Sha256() {
    }

    /** SHA-256 of all bytes of {@code source}, hex. */
    public static String of(RandomAccessSource source) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        long size = source.size();
        for (long at = 0; at < size; ) {
            int n = (int) Math.min(buffer.length, size - at);
            SourceReads.readFully(source, at, buffer, 0, n, "sha256 input");
            digest.update(buffer, 0, n);
            at += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

}
