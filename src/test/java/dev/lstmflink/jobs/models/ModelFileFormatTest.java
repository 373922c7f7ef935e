package dev.lstmflink.jobs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.testutil.VersionedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelFileFormat} read directly, as the file source's reader uses it: one update per file with the file's
 * bytes, URI and modification time; a file over the limit as an update with an error; and the checkpointed position
 * that makes a restored split emit its update exactly once.
 */
class ModelFileFormatTest {

    private static final Configuration CONFIG = new Configuration();

    @TempDir
    Path tmp;

    /** What a reader gives, with the position stored after each record. */
    record Read(List<ModelUpdate> updates, List<CheckpointedPosition> positions) {}

    @Test
    void oneUpdateWithTheWholeFileItsUriAndItsModificationTime() throws IOException {
        byte[] bytes = VersionedModels.bytes("v1", 1);
        Path file = Files.write(tmp.resolve("v1.safetensors"), bytes);
        long mtime = Files.getLastModifiedTime(file).toMillis();
        FileSourceSplit split = split(file, null);

        Read r = readAll(new ModelFileFormat(1 << 20).createReader(CONFIG, split));
        assertEquals(1, r.updates().size(), r.updates().toString());
        ModelUpdate u = r.updates().get(0);
        assertArrayEquals(bytes, u.bytes);
        assertEquals(split.path().toString(), u.source);
        assertTrue(u.source.startsWith("file:") && u.source.endsWith("/v1.safetensors"), u.source);
        assertEquals(mtime, u.publishedAt);
        assertNull(u.version, "the detector takes the model's own model_version");
        assertNull(u.error);
        assertEquals(List.of(new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 1)), r.positions(),
                "the position after the record says it was emitted");
    }

    @Test
    void aFileOverTheLimitIsAnUpdateWithAnErrorAndNoBytesNotAnException() throws IOException {
        Path file = Files.write(tmp.resolve("big.safetensors"), new byte[1000]);
        FileSourceSplit split = split(file, null);

        Read r = readAll(new ModelFileFormat(999).createReader(CONFIG, split));
        assertEquals(1, r.updates().size());
        ModelUpdate u = r.updates().get(0);
        assertNull(u.bytes);
        assertNotNull(u.error);
        assertTrue(u.error.startsWith(split.path().toString() + ": "), u.error);
        assertTrue(u.error.contains("1000 bytes") && u.error.contains("limit of 999 bytes"), u.error);
        assertEquals(split.path().toString(), u.source);
    }

    @Test
    void aFileRemovedAfterItWasListedIsAnUpdateWithAnError() throws IOException {
        Path file = Files.write(tmp.resolve("gone.safetensors"), new byte[10]);
        FileSourceSplit split = split(file, null);
        Files.delete(file);

        ModelUpdate u = readAll(new ModelFileFormat(1 << 20).createReader(CONFIG, split)).updates().get(0);
        assertNull(u.bytes);
        assertTrue(u.error.contains("gone.safetensors") && u.error.contains("removed"), u.error);
    }

    @Test
    void aRestoredSplitEmitsItsUpdateOnlyWhenItsPositionSaysItWasNotEmitted() throws IOException {
        byte[] bytes = VersionedModels.bytes("v1", 1);
        Path file = Files.write(tmp.resolve("v1.safetensors"), bytes);
        ModelFileFormat format = new ModelFileFormat(1 << 20);

        // the position the reader stored with the record, as a checkpoint taken after it keeps it with the split
        CheckpointedPosition after = readAll(format.createReader(CONFIG, split(file, null))).positions().get(0);
        Read restoredAfter = readAll(format.restoreReader(CONFIG, split(file, after)));
        assertEquals(List.of(), restoredAfter.updates(), "emitted before the checkpoint: not again");

        // a checkpoint taken before the record: the split has no position
        Read restoredBefore = readAll(format.restoreReader(CONFIG, split(file, null)));
        assertEquals(1, restoredBefore.updates().size());
        assertArrayEquals(bytes, restoredBefore.updates().get(0).bytes);
    }

    @Test
    void wholeFilesOfModelUpdates() {
        ModelFileFormat format = new ModelFileFormat(1);
        assertFalse(format.isSplittable());
        assertEquals(TypeInformation.of(ModelUpdate.class), format.getProducedType());
    }

    /** A split of the whole file, as the source's enumerator makes it, with a checkpointed position or none. */
    private static FileSourceSplit split(Path file, CheckpointedPosition position) throws IOException {
        long size = Files.exists(file) ? Files.size(file) : 10;
        long mtime = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 1;
        return new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()), 0, size, mtime, size,
                new String[0], position);
    }

    private static Read readAll(BulkFormat.Reader<ModelUpdate> reader) throws IOException {
        List<ModelUpdate> updates = new ArrayList<>();
        List<CheckpointedPosition> positions = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<ModelUpdate> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<ModelUpdate> r;
                while ((r = batch.next()) != null) {
                    updates.add(r.getRecord());
                    positions.add(new CheckpointedPosition(r.getOffset(), r.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return new Read(updates, positions);
    }
}
