package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file larger than the limit is refused before it is read ({@link LstmModelFile#read(Path, long)},
 * {@link LstmModelFile#readBytes}, {@link SafetensorsFile#read(Path, long)}), with a message naming the file, its size
 * and the limit; the header length field is checked against the file's size after 8 bytes. Large files are sparse: no
 * disk is written and, if the check were missing, the read would fail with an {@code OutOfMemoryError}, as
 * {@code Files.readAllBytes} did in {@code LstmModelFile.read(Path)} before the limit.
 */
class ModelFileLimitTest {

    static final byte[] MODEL = TestModels.withHead(LstmConfig.of(2, 4), 2, 3);

    @TempDir
    Path tmp;

    @Test
    void aFileWithinTheLimitLoadsAndOneByteOverIsRefusedNamingFileSizeAndLimit() throws IOException {
        Path p = tmp.resolve("model.safetensors");
        Files.write(p, MODEL);
        long size = MODEL.length;
        assertEquals(4, LstmModelFile.read(p, size).lstm().config().hiddenSize());
        assertArrayEquals(MODEL, LstmModelFile.readBytes(p, size));
        assertEquals(4, LstmModelFile.read(p).lstm().config().hiddenSize(), "the default limit");

        FileTooLargeException e = assertThrows(FileTooLargeException.class, () -> LstmModelFile.read(p, size - 1));
        assertEquals(p.toString(), e.source());
        assertEquals(size, e.size());
        assertEquals(size - 1, e.limit());
        for (String s : new String[] {p.toString(), size + " bytes", "limit of " + (size - 1) + " bytes"}) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' missing from " + e.getMessage());
        }
        assertThrows(FileTooLargeException.class, () -> LstmModelFile.readBytes(p, 0));
        assertThrows(FileTooLargeException.class, () -> SafetensorsFile.read(p, size - 1));
        assertEquals(MODEL.length, SafetensorsFile.read(p, size).toBytes().length);
        assertThrows(IllegalArgumentException.class, () -> LstmModelFile.readBytes(p, -1));
    }

    @Test
    void aSparseFileOverTheDefaultLimitIsRefusedBeforeItIsRead() throws IOException {
        Path p = sparse("big.safetensors", LstmModelFile.DEFAULT_MAX_BYTES + 1);
        FileTooLargeException e = assertThrows(FileTooLargeException.class, () -> LstmModelFile.read(p));
        assertEquals(LstmModelFile.DEFAULT_MAX_BYTES + 1, e.size());
        assertEquals(LstmModelFile.DEFAULT_MAX_BYTES, e.limit());
        assertTrue(e.getMessage().contains("256.0 MiB"), e.getMessage());
    }

    /** 3 GiB: more than one byte[] can hold; {@code Files.readAllBytes} failed here with an OutOfMemoryError. */
    @Test
    void aFileLargerThanAByteArrayIsRefusedByTheLimitNotByAnOutOfMemoryError() throws IOException {
        Path p = sparse("huge.safetensors", 3L << 30);
        FileTooLargeException e = assertThrows(FileTooLargeException.class, () -> LstmModelFile.read(p));
        assertEquals(3L << 30, e.size());
        // with the limit out of the way, the reader's own byte[] bound still refuses it, after the header checks
        SafetensorsFormatException f = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.readBytes(p, Long.MAX_VALUE));
        assertTrue(f.getMessage().contains("byte[]"), f.getMessage());
    }

    @Test
    void theHeaderLengthIsCheckedAgainstTheFileSizeBeforeTheRestIsRead() throws IOException {
        byte[] lying = MODEL.clone();
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, MODEL.length);
        Path p = tmp.resolve("lying.safetensors");
        Files.write(p, lying);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.readBytes(p, Long.MAX_VALUE));
        assertTrue(e.getMessage().startsWith(p + ": ") && e.getMessage().contains("header length " + MODEL.length)
                && e.getMessage().contains((MODEL.length - 8) + " bytes that follow"), e.getMessage());
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[5]);
        assertTrue(assertThrows(SafetensorsFormatException.class, () -> LstmModelFile.read(tiny)).getMessage()
                .contains("5 bytes"));
    }

    /** A file of {@code size} bytes of which only the valid model's header and the last byte are written. */
    private Path sparse(String name, long size) throws IOException {
        Path p = tmp.resolve(name);
        try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(MODEL));
            ch.position(size - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        assertEquals(size, Files.size(p));
        return p;
    }
}
