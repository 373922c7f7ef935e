package dev.lstmflink.jobs.models;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.jobs.RemoteFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.UUID;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Publishes a model file into a watched folder ({@link ModelUpdates}) as {@code <folder>/<version>.safetensors}, the
 * version being the model's own ({@code model_version} metadata, else its hash, see {@link LstmModelFile}).
 *
 * <p>The file is first written as a hidden {@code .<name>.tmp-<random>} in the same folder, which the watcher skips,
 * and then renamed: on a local disk and HDFS a rename within a folder is atomic; on S3 Flink's rename is a copy, whose
 * object appears whole. Either way the watcher never reads a half-written file.
 *
 * <p>A published file is never replaced: the detection job reads each file name once, so a second model under the
 * same name would never be served. Publishing it is refused, naming the path. (Two publishers of the same version at
 * the same instant can both pass that check; the later rename wins. Publish each version once.)
 */
public final class ModelPublisher {

    /** The file name's extension; the content decides the format, as everywhere. */
    public static final String EXTENSION = ".safetensors";

    /** What was published: the model's version, where it went and how many bytes. */
    public record Published(String version, String location, long bytes) {}

    private ModelPublisher() {}

    /**
     * Publishes the model file at {@code modelLocation} (a local path or a URI) into {@code folder} (a local path or a
     * URI; created when missing).
     *
     * @throws SafetensorsFormatException with {@link LstmModelFile}'s message when the file holds no usable model
     * @throws FileAlreadyExistsException naming the target when that version is already published
     */
    public static Published publish(String modelLocation, String folder) throws IOException {
        byte[] bytes = RemoteFiles.readModel(modelLocation, LstmModelFile.DEFAULT_MAX_BYTES);
        String version = LstmModelFile.read(bytes, modelLocation).version();
        if (version == null || version.isBlank()) {
            throw new SafetensorsFormatException(modelLocation, "metadata " + LstmModelFile.VERSION_KEY
                    + " is blank; a published model needs a version to name its file");
        }
        Path dir = new Path(ModelUpdates.folderUri(folder));
        FileSystem fs = dir.getFileSystem();
        String name = fileName(version);
        Path target = new Path(dir, name);
        String shown = RemoteFiles.isUri(folder) ? target.toString()
                : java.nio.file.Path.of(folder).toAbsolutePath().normalize().resolve(name).toString();
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(shown, null, "version " + version + " is already published; a "
                    + "published model is never replaced (the detection job reads each file name once), publish it "
                    + "under a new model_version");
        }
        if (!fs.exists(dir) && !fs.mkdirs(dir)) {
            throw new IOException(dir + ": could not create the folder");
        }
        Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, FileSystem.WriteMode.NO_OVERWRITE)) {
                out.write(bytes);
            }
            if (fs.exists(target)) {
                throw new FileAlreadyExistsException(shown, null, "version " + version + " was published while this "
                        + "copy was written; a published model is never replaced");
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException(tmp + ": could not rename it to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
        return new Published(version, shown, bytes.length);
    }

    /**
     * Whether {@code version} is already published in {@code folder}: a trainer asks before training, rather than
     * being refused after it.
     */
    public static boolean isPublished(String folder, String version) throws IOException {
        Path target = new Path(new Path(ModelUpdates.folderUri(folder)), fileName(version));
        return target.getFileSystem().exists(target);
    }

    /**
     * The file name of a version: every character but {@code [A-Za-z0-9._-]} becomes {@code _}, and a leading
     * {@code .} or {@code _} becomes {@code -}, so that the file is not hidden from the watcher.
     */
    public static String fileName(String version) {
        String safe = version.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.startsWith(".") || safe.startsWith("_")) {
            safe = "-" + safe.substring(1);
        }
        return safe + EXTENSION;
    }
}
