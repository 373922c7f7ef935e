package dev.lstmflink.cluster;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A job that runs until cancelled and whose main returns after submitting it (no {@code System.exit}):
 * {@link FlinkLocalClusterITCase} packs this class into a jar of its own and runs it through the REST API
 * ({@link LocalFlinkCluster#submit}), where main runs inside the JobManager.
 */
public final class ProbeJob {

    private ProbeJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, Long.MAX_VALUE).name("numbers").sinkTo(new DiscardingSink<>()).name("discard");
        env.execute("flink-local probe");
    }
}
