package dev.lstmflink.jobs;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.LstmFunctionConfig;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The complete example of the keyed LSTM operator: the built-in sensor source, {@code keyBy(sensor)}, one LSTM step per
 * event with each sensor's state in Flink keyed state, and a sink (here: collected and summarised on the console).
 * Runs on a local Flink; {@code jobs/stream} starts it.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Runs the keyed LSTM operator on the built-in sensor source in a local Flink and prints outputs.")
public final class StreamingLstmJob implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "safetensors file with one LSTM (and a head for prediction)")
    Path model;

    @Option(names = "--keys", defaultValue = "100", description = "sensors (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--events-per-key", defaultValue = "50", description = "events per sensor (default ${DEFAULT-VALUE})")
    int eventsPerKey;

    @Option(names = "--output", defaultValue = "HIDDEN", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    OutputKind output;

    @Option(names = "--event-time", description = "step each sensor's events in timestamp order as the watermark passes")
    boolean eventTime;

    @Option(names = "--idle-timeout", defaultValue = "PT0S", description = "drop a sensor's state after this ISO-8601 "
            + "duration without events, e.g. PT10M (default: never)")
    Duration idleTimeout;

    @Option(names = "--backend", defaultValue = "hashmap", description = "Flink state backend: hashmap or rocksdb")
    String backend;

    @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the LSTM operator")
    int parallelism;

    @Option(names = "--batch-size", defaultValue = "64", description = "events stepped per pass over the weights, "
            + "1 = each on arrival (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--batch-max-delay", defaultValue = "PT0.01S", description = "the longest an event waits for its "
            + "batch, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration batchMaxDelay;

    @Option(names = "--print", defaultValue = "5", description = "outputs to print (default ${DEFAULT-VALUE})")
    int print;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamingLstmJob()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        byte[] bytes = LstmModelFile.readBytes(model, LstmModelFile.DEFAULT_MAX_BYTES);
        LstmFunctionConfig cfg = (eventTime ? LstmFunctionConfig.eventTime(output)
                : LstmFunctionConfig.processingTime(output)).withIdleTimeout(idleTimeout);
        LstmModel m = LstmModelFile.read(bytes, model.toString());
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", backend);
        // Every event reads and writes its key's state: bloom filters let RocksDB skip SST files without the key.
        conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);

        DataStream<SensorEvent> events = env.fromSource(sensorSource(keys, eventsPerKey, m),
                        eventTime ? LstmStreams.watermarks(Duration.ofSeconds(5)) : WatermarkStrategy.noWatermarks(),
                        "sensors")
                .setParallelism(1)
                .uid("sensors");
        SingleOutputStreamOperator<LstmOutput> out = LstmStreams.keyedLstm(events, cfg, bytes, model.toString(),
                new MicroBatch(batchSize, batchMaxDelay));
        DataStream<RejectedEvent> rejected = out.getSideOutput(LstmStreams.REJECTED);
        rejected.print("rejected");

        long n = 0;
        List<LstmOutput> shown = new ArrayList<>();
        long maxStep = 0;
        try (CloseableIterator<LstmOutput> it = out.executeAndCollect("lstm-flink streaming example")) {
            while (it.hasNext()) {
                LstmOutput o = it.next();
                n++;
                maxStep = Math.max(maxStep, o.step);
                if (shown.size() < print) {
                    shown.add(o);
                }
            }
        }
        shown.forEach(System.out::println);
        System.out.printf("%d outputs for %d sensors x %d events; longest sequence %d steps; state backend %s%n",
                n, keys, eventsPerKey, maxStep, backend);
        return n == (long) keys * eventsPerKey ? 0 : 1;
    }

    /**
     * The built-in sensor source for {@code model}: its numeric values and, with an embedding, its ids per event.
     */
    public static DataGeneratorSource<SensorEvent> sensorSource(int keys, int eventsPerKey, LstmModel model) {
        int n = model.embedding() == null ? 0 : model.embedding().config().numEmbeddings();
        return source(keys, eventsPerKey, new SensorSimulator(keys, model.numericInputs(), model.idsPerStep(), n,
                1_700_000_000_000L));
    }

    /** The built-in sensor source: {@code keys × eventsPerKey} events, sensors interleaved, in step order. */
    public static DataGeneratorSource<SensorEvent> sensorSource(int keys, int eventsPerKey, int features) {
        return source(keys, eventsPerKey, new SensorSimulator(keys, features, 1_700_000_000_000L));
    }

    private static DataGeneratorSource<SensorEvent> source(int keys, int eventsPerKey, SensorSimulator simulator) {
        return new DataGeneratorSource<>(simulator,
                (long) keys * eventsPerKey, RateLimiterStrategy.noOp(),
                org.apache.flink.api.common.typeinfo.TypeInformation.of(SensorEvent.class));
    }
}
