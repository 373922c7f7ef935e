package dev.lstmflink.core.io.file;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A model file's bytes: reading them whole within a size limit, and their SHA-256. The one place for both, used by
 * every format reader ({@code core.io}, {@code core.io.keras}, {@code core.io.onnx}) and by the operators that tell two
 * models apart; it sits below those packages so that none of them needs another for it.
 *
 * <p>A model file is read into one {@code byte[]} and parsed into several times its size, so the limit is checked
 * against the file's size before any byte is read: a wrong path or a crafted file of many gigabytes never reaches the
 * allocation.
 */
public final class ModelBytes {

    /**
     * The largest model file read when no limit is given: 256 MiB, an LSTM of 64 million float32 parameters, far above
     * what per-event scoring can afford (hidden size 16, this project's default, is a few kilobytes). Loading takes
     * several times the file's size (the bytes, the parsed tensors, the packed weights) in every task that loads it.
     */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** The most bytes one {@code byte[]} can hold on common JVMs (a few words below {@code Integer.MAX_VALUE}). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private ModelBytes() {}

    /** Checks a file's first bytes and its size before the rest is read; throws to refuse the file. */
    @FunctionalInterface
    public interface HeadCheck {
        /**
         * @param head the file's first bytes: as many as asked for, or fewer when the file is shorter
         * @param size the file's size in bytes, at most the limit
         */
        void check(byte[] head, long size) throws IOException;
    }

    /** {@link #read(Path, long, int, HeadCheck)} with no check of the first bytes. */
    public static byte[] read(Path path, long maxBytes) throws IOException {
        return read(path, maxBytes, 0, (head, size) -> { });
    }

    /**
     * A file's bytes: refused before any is read when the file is over {@code maxBytes}, then refused by {@code check}
     * after its first {@code headBytes} bytes (e.g. a header length impossible for the file's size), then read whole.
     * The file is opened once; bytes appended while it is read are not read, so the result never exceeds the limit.
     *
     * @throws FileTooLargeException when the file is over {@code maxBytes} (the message names the file, its size and
     *                               the limit)
     * @throws EOFException          when the file got shorter while it was read
     * @throws IOException           what {@code check} throws, or when the file cannot be read
     */
    public static byte[] read(Path path, long maxBytes, int headBytes, HeadCheck check) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > maxBytes) {
                throw new FileTooLargeException(path.toString(), size, maxBytes);
            }
            ByteBuffer probe = ByteBuffer.allocate((int) Math.min(size, headBytes));
            while (probe.hasRemaining() && channel.read(probe, probe.position()) >= 0) {
                // a file that shrank ends the loop with fewer bytes; check sees them
            }
            check.check(Arrays.copyOf(probe.array(), probe.position()), size);
            if (size > MAX_ARRAY) {
                throw new IOException(path + ": file is " + size + " bytes, more than one byte[] can hold");
            }
            byte[] all = new byte[(int) size];
            ByteBuffer buf = ByteBuffer.wrap(all);
            while (buf.hasRemaining()) {
                if (channel.read(buf, buf.position()) < 0) {
                    throw new EOFException(path + ": file ended after " + buf.position() + " of " + size
                            + " bytes while being read (was it truncated?)");
                }
            }
            return all;
        }
    }

    /** The lower-case hex SHA-256 of a model file's bytes: how two models are told apart. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * The version of a model whose file names none: {@code sha256:} and the first 12 hex digits of the bytes' hash, so
     * that two different files never pass for the same model.
     */
    public static String hashVersion(byte[] bytes) {
        return "sha256:" + sha256(bytes).substring(0, 12);
    }
}
