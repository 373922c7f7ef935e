package dev.lstmflink.flink;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes the state fixture {@code src/test/resources/savepoints/lstm-v1/} of the plain keyed LSTM operator that
 * {@link LstmSnapshotCompatibilityTest} restores: the operator's snapshot as Flink's own operator-migration tests keep
 * theirs ({@link OperatorSnapshotUtil}: every keyed state, timer and operator state of the subtask, in the heap
 * backend's format), taken with events still waiting in the event-time buffers and quiet-release timers pending; the
 * model it ran with; and the outputs the operator produced after a restore from it.
 *
 * <p>The scenario ({@link #before} and {@link #after}, shared with the test): event time, quiet release 5 s, idle
 * timeout 60 s, output {@code hidden}; keys {@code k0..k5}, steps 0..11 fed at processing time 0, the watermark at
 * 7,000 (steps 0..7 stepped, 8..11 waiting), then the snapshot. After the restore: steps 12..15 at processing time
 * 1,000, the watermark at 13,000, processing time 6,000 (the quiet release of 14 and 15).
 *
 * <p>Rerun it only to make a new fixture: a deliberate change of the state format goes with a new folder
 * ({@code lstm-v2}), and this one stays. From the project folder:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java --add-modules=jdk.incubator.vector \
 *     -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.lstmflink.flink.LstmSnapshotFixture src/test/resources/savepoints/lstm-v1
 * </pre>
 */
public final class LstmSnapshotFixture {

    static final String SNAPSHOT = "operator-snapshot";
    static final String MODEL_FILE = "model.safetensors";
    static final String EXPECTED = "expected-outputs.txt";
    static final int KEYS = 6;
    static final LstmFunctionConfig CONFIG = LstmFunctionConfig.eventTime(OutputKind.HIDDEN)
            .withReleaseDelay(Duration.ofSeconds(5)).withIdleTimeout(Duration.ofSeconds(60));

    private LstmSnapshotFixture() {}

    static SensorEvent event(int key, int step) {
        return new SensorEvent("k" + key, 1_000L * step, (float) Math.sin(0.3 * step + key),
                (float) Math.cos(0.2 * step - key));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> harness(byte[] model)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new KeyedLstmFunction(CONFIG, model, "lstm-v1 model")),
                LstmStreams::keyOf, Types.STRING, LstmHarness.MAX_PARALLELISM, 1, 0);
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h, int from,
                             int to) throws Exception {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < KEYS; k++) {
                SensorEvent e = event(k, s);
                h.processElement(new StreamRecord<>(e, e.ts));
            }
        }
    }

    /** The run before the snapshot: returns the snapshot. */
    static OperatorSubtaskState before(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h)
            throws Exception {
        h.setProcessingTime(0);
        feed(h, 0, 12);
        h.processWatermark(new Watermark(7_000));
        return h.snapshot(1L, 1L);
    }

    /** The run after the restore (the harness initialised from the snapshot and opened): what it emitted. */
    static List<LstmOutput> after(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h)
            throws Exception {
        h.setProcessingTime(1_000);
        feed(h, 12, 16);
        h.processWatermark(new Watermark(13_000));
        h.setProcessingTime(6_000);
        return h.extractOutputValues();
    }

    /** One output per line: key, ts, step, model version, the values (exact float text). */
    static String line(LstmOutput o) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %d %d %s", o.key, o.ts, o.step,
                o.modelVersion));
        for (float v : o.values) {
            b.append(' ').append(Float.toString(v));
        }
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: LstmSnapshotFixture <folder>");
        }
        Path dir = Path.of(args[0]);
        if (Files.exists(dir.resolve(SNAPSHOT))) {
            throw new IOException(dir.resolve(SNAPSHOT) + " exists: a fixture is never regenerated in place");
        }
        Files.createDirectories(dir);
        byte[] model = TestModels.withHead(LstmConfig.of(2, 8).withNumLayers(2), 1, 42);
        Files.write(dir.resolve(MODEL_FILE), model);
        var h = harness(model);
        h.open();
        OperatorSubtaskState snapshot = before(h);
        h.close();
        OperatorSnapshotUtil.writeStateHandle(snapshot, dir.resolve(SNAPSHOT).toString());
        var restored = harness(model);
        restored.initializeState(OperatorSnapshotUtil.readStateHandle(dir.resolve(SNAPSHOT).toString()));
        restored.open();
        List<String> lines = new ArrayList<>();
        for (LstmOutput o : after(restored)) {
            lines.add(line(o));
        }
        restored.close();
        Files.write(dir.resolve(EXPECTED), lines, StandardCharsets.UTF_8);
        System.out.println("wrote " + dir + ": " + lines.size() + " outputs after the restore");
    }
}
