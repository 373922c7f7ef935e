package dev.lstmflink.core.io.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one size-limited read and the one SHA-256 of model files. */
class ModelBytesTest {

    @TempDir
    Path dir;

    @Test
    void sha256IsTheStandardDigestInLowerCaseHex() {
        // FIPS 180-2, appendix B.1: SHA-256("abc")
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ModelBytes.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("sha256:ba7816bf8f01", ModelBytes.hashVersion("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void readsAFileAtTheLimitAndRefusesOneByteMoreBeforeReadingIt() throws IOException {
        Path f = Files.write(dir.resolve("m.bin"), new byte[] {1, 2, 3, 4, 5});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, ModelBytes.read(f, 5));
        List<byte[]> seen = new ArrayList<>();
        FileTooLargeException e = assertThrows(FileTooLargeException.class,
                () -> ModelBytes.read(f, 4, 2, (head, size) -> seen.add(head)));
        assertEquals(5, e.size());
        assertEquals(4, e.limit());
        assertTrue(e.getMessage().startsWith(f + ": file is 5 bytes"), e.getMessage());
        assertTrue(seen.isEmpty(), "the check ran on a file over the limit");
        assertThrows(IllegalArgumentException.class, () -> ModelBytes.read(f, -1));
    }

    @Test
    void theCheckSeesTheFirstBytesAndTheSizeAndCanRefuseTheFile() throws IOException {
        Path f = Files.write(dir.resolve("m.bin"), new byte[] {9, 8, 7, 6, 5, 4});
        List<String> seen = new ArrayList<>();
        byte[] all = ModelBytes.read(f, 100, 3, (head, size) -> seen.add(head.length + "/" + head[0] + "/" + size));
        assertEquals(List.of("3/9/6"), seen);
        assertEquals(6, all.length);
        // a file shorter than the head asked for: the check gets what there is
        Path tiny = Files.write(dir.resolve("tiny.bin"), new byte[] {1});
        ModelBytes.read(tiny, 100, 64, (head, size) -> seen.add(head.length + "/" + size));
        assertEquals("1/1", seen.get(1));
        IOException refused = assertThrows(IOException.class, () -> ModelBytes.read(f, 100, 3, (head, size) -> {
            throw new IOException("not a model");
        }));
        assertEquals("not a model", refused.getMessage());
    }
}
