package dev.lstmflink.jobs.models;

import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.jobs.RemoteFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The source of model updates: a folder watched through Flink's {@code FileSource}, each file that appears in it read
 * once, whole, as one {@link ModelUpdate} ({@link ModelFileFormat}).
 *
 * <p>Publication is atomic because of Flink's default file filter ({@code DefaultFileFilter}), which skips every name
 * that starts with {@code .} or {@code _}: {@link ModelPublisher} writes a hidden {@code .<name>.tmp-<random>} and
 * renames it when complete, so the watcher sees only whole files. The source remembers the paths it has read (in its
 * checkpoints), so a file name is taken once: a model is published under a new name, never by replacing a file.
 */
public final class ModelUpdates {

    /** The uid of the source operator, for savepoints. */
    public static final String UID = "model-updates";

    /** The source's name in the web UI. */
    public static final String NAME = "Model updates";

    private ModelUpdates() {}

    /**
     * Watches {@code folder} every {@code interval}. The folder is created when missing: Flink's continuous
     * enumerator (2.2.1) lists it at every poll, and while it is not there each poll only logs "Failed to enumerate
     * files" with a {@code FileNotFoundException}, so a mistyped folder would look like one that is merely empty.
     *
     * @param folder   a URI ({@code file:///...}, {@code s3://...}) or a local path (made absolute)
     * @param maxBytes the largest model file read (see {@link ModelFileFormat})
     * @throws UncheckedIOException naming the folder when it is missing and cannot be created
     */
    public static FileSource<ModelUpdate> source(String folder, Duration interval, long maxBytes) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval at which " + folder + " is watched must be positive, got "
                    + interval);
        }
        Path dir = new Path(folderUri(folder));
        try {
            FileSystem fs = dir.getFileSystem();
            if (!fs.exists(dir) && !fs.mkdirs(dir)) {
                throw new IOException(folder + ": the model folder is missing and could not be created");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() != null && e.getMessage().contains(folder) ? e.getMessage()
                    : folder + ": the model folder cannot be watched: " + e.getMessage(), e);
        }
        return FileSource.forBulkFileFormat(new ModelFileFormat(maxBytes), dir)
                .monitorContinuously(interval)
                .build();
    }

    /** {@code folder} as a URI: itself when it has a scheme, else the absolute local path's {@code file:} URI. */
    static String folderUri(String folder) {
        if (folder == null || folder.isBlank()) {
            throw new IllegalArgumentException("the model folder is blank");
        }
        if (RemoteFiles.isUri(folder)) {
            return folder;
        }
        return java.nio.file.Path.of(folder).toAbsolutePath().normalize().toUri().toString();
    }
}
