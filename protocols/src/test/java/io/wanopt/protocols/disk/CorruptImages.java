package io.wanopt.protocols.disk;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wanopt.protocols.MalformedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Single-byte corruptions of a good image that a parser must reject with the project's exception. */
public final class CorruptImages {

    /** A parser of a whole image. */
    public interface Parser {
        Object parse(RandomAccessSource image) throws IOException;
    }

    private CorruptImages() {
    }

    /**
     * For each {@code {offset, value}} in {@code patches}, writes {@code good} with that one byte changed to
     * {@code dir/bad.img} and asserts that {@code parser} throws {@link MalformedInputException}.
     */
    public static void assertEachPatchRejected(Path dir, byte[] good, int[][] patches, Parser parser)
            throws IOException {
        for (int[] patch : patches) {
            byte[] bad = good.clone();
            bad[patch[0]] = (byte) patch[1];
            Path file = dir.resolve("bad.img");
            Files.write(file, bad);
            try (FileSource source = FileSource.open(file)) {
                assertThrows(MalformedInputException.class, () -> parser.parse(source),
                        "byte " + patch[0] + " = " + patch[1]);
            }
        }
    }
}
