package dev.lstmflink.jobs;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.file.FileTooLargeException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Files named by a URI ({@code file:///...}, {@code s3://...}, {@code hdfs://...}), read through Flink's
 * {@link FileSystem}, so that a job submitted to a cluster can take its model and settings from storage every machine
 * reaches: on a cluster (and under {@code flink run}) Flink has loaded its file-system plugins
 * ({@code plugins/s3-fs-hadoop} and the like), and a scheme without one fails with Flink's message naming it. A name
 * without a scheme stays a local path, read by the caller as before.
 */
public final class RemoteFiles {

    /** {@code scheme://}, RFC 3986's scheme; a Windows drive letter ({@code C:\\}) has no {@code //}. */
    private static final Pattern URI = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://");

    private RemoteFiles() {}

    /** True when {@code location} is a URI with a scheme, to be read with {@link #read}. */
    public static boolean isUri(String location) {
        return location != null && URI.matcher(location).lookingAt();
    }

    /**
     * The bytes of the file at {@code location}, refused before reading when it holds more than {@code maxBytes}.
     *
     * @throws FileNotFoundException naming the location when there is no such file
     * @throws FileTooLargeException naming it, its size and the limit
     */
    public static byte[] read(String location, long maxBytes) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem();
        FileStatus status;
        try {
            status = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(location + ": no such file");
        }
        if (status.isDir()) {
            throw new IOException(location + ": is a directory, expected a file");
        }
        long size = status.getLen();
        if (size > maxBytes || size > Integer.MAX_VALUE - 8) {
            throw new FileTooLargeException(location, size, maxBytes);
        }
        try (FSDataInputStream in = fs.open(p)) {
            byte[] bytes = in.readNBytes((int) size);
            if (bytes.length != size || in.read() != -1) {
                throw new IOException(location + ": changed while it was read (" + size + " bytes listed, "
                        + bytes.length + " read)");
            }
            return bytes;
        }
    }

    /**
     * A model file's bytes from a URI ({@link #read}) or a local path ({@link LstmModelFile#readBytes}, which also
     * checks a safetensors header before reading the rest), refused over {@code maxBytes} either way.
     *
     * @throws FileTooLargeException naming the file, its size and the limit
     */
    public static byte[] readModel(String location, long maxBytes) throws IOException {
        return isUri(location) ? read(location, maxBytes)
                : LstmModelFile.readBytes(java.nio.file.Path.of(location), maxBytes);
    }
}
