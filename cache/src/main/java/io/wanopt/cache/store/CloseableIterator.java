package io.wanopt.cache.store;

import java.io.Closeable;
import java.io.IOException;

/** An iterator over a storage's entries that holds native resources until closed. */
public interface CloseableIterator<T> extends Closeable {

    boolean hasNext() throws IOException;

    /** The next element; {@link java.util.NoSuchElementException} past the end. */
    T next() throws IOException;

    @Override
    void close();
}
