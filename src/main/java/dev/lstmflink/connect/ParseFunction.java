package dev.lstmflink.connect;

import dev.lstmflink.record.SensorEvent;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The job's first operator: raw records in, {@link SensorEvent}s out, and every record that cannot be used on the
 * side output {@link #DEAD_LETTERS} instead of failing the job or disappearing.
 *
 * <p>It counts what it sees three ways, so that {@code received = parsed + dead-lettered} can be checked live and at
 * the end: Flink metrics {@code recordsReceived}, {@code recordsParsed} and {@code recordsDeadLettered} in the
 * operator's group {@value DeadLetterMetrics#GROUP}, plus one counter per reason ({@link DeadLetterMetrics}: the
 * key-value group {@code reason=<reason>}, a label in Prometheus); the same numbers as accumulators ({@link #RECEIVED},
 * {@link #PARSED}, {@link #ACCUMULATOR}) for the run summary; and {@link #counters()} for tests.
 *
 * @param <IN> {@code byte[]} (Kafka values), {@code String} (file lines) or {@link RawRecord} (either, with its
 *             topic/partition/offset or file/line)
 */
public class ParseFunction<IN> extends ProcessFunction<IN, SensorEvent> {

    private static final long serialVersionUID = 1L;

    /** The side output of records that could not be parsed. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Accumulator name of the {@link DeadLetterAccumulator} (shared by all parse functions of a task). */
    public static final String ACCUMULATOR = "deadLetters";
    /** Accumulator name of the {@link LongCounter} of records received. */
    public static final String RECEIVED = "recordsReceived";
    /** Accumulator name of the {@link LongCounter} of records turned into events. */
    public static final String PARSED = "recordsParsed";
    /** The metric group of the counters, {@value DeadLetterMetrics#GROUP}. */
    public static final String METRIC_GROUP = DeadLetterMetrics.GROUP;
    /** Metric counting dead letters of all reasons (and, per reason, in the group {@code reason=<reason>}). */
    public static final String DEAD_LETTERED = DeadLetterMetrics.DEAD_LETTERED;

    /** How one input becomes a {@link Parsed}; a serializable lambda. */
    private interface Step<IN> extends Serializable {
        Parsed parse(RecordParser parser, IN in);
    }

    private final RecordParser parser;
    private final Step<IN> step;

    private transient DeadLetterCounters counters;
    private transient DeadLetterMetrics deadLetterMetrics;
    private transient Counter receivedMetric;
    private transient Counter parsedMetric;
    private transient Accumulator<String, DeadLetterCounters> reasonAccumulator;
    private transient LongCounter receivedAccumulator;
    private transient LongCounter parsedAccumulator;

    private ParseFunction(RecordParser parser, Step<IN> step) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.step = step;
    }

    /** For Kafka values (or any bytes) from {@code source}; partition and offset are unknown (-1). */
    public static ParseFunction<byte[]> ofBytes(RecordParser parser, String source) {
        return new ParseFunction<>(parser, (p, in) -> p.parse(in, source, -1, -1));
    }

    /** For text lines from {@code source}; line numbers are unknown (-1): use {@link #ofRecords} to keep them. */
    public static ParseFunction<String> ofStrings(RecordParser parser, String source) {
        return new ParseFunction<>(parser, (p, in) -> p.parse(in, source, -1, -1));
    }

    /** For records that carry their origin, which then appears in each dead letter. */
    public static ParseFunction<RawRecord> ofRecords(RecordParser parser) {
        return new ParseFunction<>(parser, RecordParser::parse);
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new DeadLetterCounters();
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup(METRIC_GROUP);
        receivedMetric = metrics.counter(RECEIVED);
        parsedMetric = metrics.counter(PARSED);
        deadLetterMetrics = new DeadLetterMetrics(metrics);
        Accumulator<String, DeadLetterCounters> existing = getRuntimeContext().getAccumulator(ACCUMULATOR);
        if (existing == null) {
            existing = new DeadLetterAccumulator();
            getRuntimeContext().addAccumulator(ACCUMULATOR, existing);
        }
        reasonAccumulator = existing;
        receivedAccumulator = getRuntimeContext().getLongCounter(RECEIVED);
        parsedAccumulator = getRuntimeContext().getLongCounter(PARSED);
    }

    @Override
    public void processElement(IN in, Context ctx, Collector<SensorEvent> out) {
        receivedMetric.inc();
        receivedAccumulator.add(1L);
        Parsed result = step.parse(parser, in);
        if (result.isOk()) {
            parsedMetric.inc();
            parsedAccumulator.add(1L);
            out.collect(result.event());
        } else {
            DeadLetter d = result.deadLetter();
            counters.add(d.reason);
            reasonAccumulator.add(d.reason);
            deadLetterMetrics.inc(d.reason);
            ctx.output(DEAD_LETTERS, d);
        }
    }

    /** This subtask's dead letters by reason since {@link #open}. */
    public DeadLetterCounters counters() {
        return counters;
    }
}
