package dev.lstmflink.cluster;

import dev.lstmflink.testutil.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;

/**
 * The set-up the cluster ITCases share: a {@link LocalFlinkCluster} started on another thread while the test starts a
 * Kafka broker in this JVM (each takes seconds), and both stopped after each test, also when the test failed before
 * the cluster was up.
 */
abstract class ClusterAndBrokerTest {

    TestBroker broker;
    LocalFlinkCluster cluster;
    private CompletableFuture<LocalFlinkCluster> starting;

    /** Starts the cluster in the background; {@link #awaitCluster} sets {@link #cluster}. */
    void startCluster(Callable<LocalFlinkCluster> start) {
        starting = CompletableFuture.supplyAsync(() -> {
            try {
                return start.call();
            } catch (Exception e) {
                throw new IllegalStateException("starting the cluster failed", e);
            }
        });
    }

    /** A broker with its data in {@code dir}. */
    TestBroker startBroker(Path dir) throws Exception {
        broker = TestBroker.start(Files.createDirectories(dir));
        return broker;
    }

    /** Waits for the cluster {@link #startCluster} started. */
    LocalFlinkCluster awaitCluster() throws Exception {
        cluster = starting.get();
        return cluster;
    }

    @AfterEach
    void stopClusterAndBroker() throws Exception {
        if (cluster == null && starting != null) {
            cluster = starting.exceptionally(e -> null).join();
        }
        if (cluster != null) {
            cluster.stop();
        }
        if (broker != null) {
            broker.stop();
        }
    }
}
