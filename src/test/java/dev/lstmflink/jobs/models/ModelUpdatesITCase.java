package dev.lstmflink.jobs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.testutil.VersionedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watched folder on a MiniCluster: {@link ModelUpdates#source} polling every 200 ms emits one update for each
 * model {@link ModelPublisher} publishes, one published before the job started and one while it runs, and none for a
 * hidden temp file ({@code .x.tmp}) or an {@code _}-file dropped in between.
 */
class ModelUpdatesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                    .build());

    private static final Duration INTERVAL = Duration.ofMillis(200);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void emitsEachPublishedModelOnceAndNoHiddenFile() throws Exception {
        Path folder = tmp.resolve("models");
        Path v1 = VersionedModels.write(tmp.resolve("v1.safetensors"), "v1", 1);
        Path v2 = VersionedModels.write(tmp.resolve("v2.safetensors"), "v2", 2);
        ModelPublisher.publish(v1.toString(), folder.toString());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<ModelUpdate> got = new ArrayList<>();
        try (CloseableIterator<ModelUpdate> updates = env
                .fromSource(ModelUpdates.source(folder.toString(), INTERVAL, LstmModelFile.DEFAULT_MAX_BYTES),
                        WatermarkStrategy.noWatermarks(), ModelUpdates.NAME)
                .uid(ModelUpdates.UID)
                .executeAndCollect("model updates")) {
            got.add(updates.next());   // v1, published before the job started

            // files the watcher must skip, then (after several polls that would have found them) a second model
            Files.write(folder.resolve(".x.tmp"), new byte[] {1, 2, 3});
            Files.write(folder.resolve("_y"), VersionedModels.bytes("hidden", 3));
            Thread.sleep(5 * INTERVAL.toMillis());
            ModelPublisher.publish(v2.toString(), folder.toString());
            got.add(updates.next());
        }

        assertEquals(List.of(flinkUri(folder.resolve("v1.safetensors")), flinkUri(folder.resolve("v2.safetensors"))),
                got.stream().map(u -> u.source).toList(), got.toString());
        assertArrayEquals(Files.readAllBytes(v1), got.get(0).bytes);
        assertArrayEquals(Files.readAllBytes(v2), got.get(1).bytes);
        for (ModelUpdate u : got) {
            assertNull(u.error, u.toString());
            assertNull(u.version, u.toString());
            String name = u.source.substring(u.source.lastIndexOf('/') + 1);
            assertEquals(Files.getLastModifiedTime(folder.resolve(name)).toMillis(), u.publishedAt, name);
        }
    }

    /** A file's URI as Flink's {@code Path} writes it ({@code file:/tmp/...}). */
    private static String flinkUri(Path file) {
        return new org.apache.flink.core.fs.Path(file.toUri()).toString();
    }
}
