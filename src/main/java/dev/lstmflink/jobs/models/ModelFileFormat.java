package dev.lstmflink.jobs.models;

import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.jobs.RemoteFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;

/**
 * A model file as one {@link ModelUpdate}: the whole file's bytes (a file is never split), its URI as
 * {@code source} and its modification time as {@code publishedAt}; the version is left null, so that the detector
 * takes the model's own {@code model_version} metadata.
 *
 * <p>A file over the size limit, or one removed between being listed and being read, is not an exception: an
 * exception would fail the job, and the restarted job would read the same file and fail again, forever. It becomes an
 * update with {@code bytes} null and the reason in {@code error}. Other I/O errors (a storage outage) do fail the
 * task, so that Flink's restart strategy retries the read.
 *
 * <p>Checkpoints: the one record is emitted with the position {@code (NO_OFFSET, 1)}, "one record read after no
 * offset", which {@code FileSourceSplitState} stores with the split; a split without a position has emitted nothing.
 * {@link #restoreReader} of a split whose position counts the record emits nothing again, so a restore neither loses
 * nor repeats an update.
 */
public final class ModelFileFormat implements BulkFormat<ModelUpdate, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final long maxBytes;

    /** @param maxBytes the largest file read; larger ones give an update with {@code error} set */
    public ModelFileFormat(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public Reader<ModelUpdate> createReader(Configuration config, FileSourceSplit split) {
        return new ModelFileReader(split, maxBytes, false);
    }

    @Override
    public Reader<ModelUpdate> restoreReader(Configuration config, FileSourceSplit split) {
        boolean emitted = split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
        return new ModelFileReader(split, maxBytes, emitted);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<ModelUpdate> getProducedType() {
        return TypeInformation.of(ModelUpdate.class);
    }

    /** The update of one file, read when the source asks for its only batch. */
    static ModelUpdate read(FileSourceSplit split, long maxBytes) throws IOException {
        String source = split.path().toString();
        long publishedAt = Math.max(0L, split.fileModificationTime());
        try {
            return ModelUpdate.fromFile(source, publishedAt, RemoteFiles.read(source, maxBytes));
        } catch (FileTooLargeException e) {
            return ModelUpdate.refused(source, publishedAt, e.getMessage());
        } catch (FileNotFoundException e) {
            return ModelUpdate.refused(source, publishedAt, source + ": removed after it was listed, not read");
        }
    }

    /** Gives the file's one update in one batch, unless the split's checkpointed position says it was emitted. */
    private static final class ModelFileReader implements BulkFormat.Reader<ModelUpdate> {
        private final FileSourceSplit split;
        private final long maxBytes;
        private boolean emitted;

        ModelFileReader(FileSourceSplit split, long maxBytes, boolean emitted) {
            this.split = split;
            this.maxBytes = maxBytes;
            this.emitted = emitted;
        }

        @Override
        public RecordIterator<ModelUpdate> readBatch() throws IOException {
            if (emitted) {
                return null;   // end of the split
            }
            emitted = true;
            SingletonResultIterator<ModelUpdate> batch = new SingletonResultIterator<>();
            // the position after the record: no offset, one record to skip, i.e. "the update was emitted"
            batch.set(read(split, maxBytes), CheckpointedPosition.NO_OFFSET, 1);
            return batch;
        }

        @Override
        public void close() {}
    }
}
