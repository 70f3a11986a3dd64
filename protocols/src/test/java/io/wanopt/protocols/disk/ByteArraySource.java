package io.wanopt.protocols.disk;

/** An in-memory source, for tests that read many mutated images quickly. */
final class ByteArraySource implements RandomAccessSource {

    private final byte[] bytes;

    ByteArraySource(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) {
        if (offset >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(len, bytes.length - offset);
        System.arraycopy(bytes, (int) offset, dst, dstOff, n);
        return n;
    }

    @Override
    public long size() {
        return bytes.length;
    }
}
