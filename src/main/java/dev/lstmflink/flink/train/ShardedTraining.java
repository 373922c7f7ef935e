package dev.lstmflink.flink.train;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.EarlyStopping;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.Trainer;
import dev.lstmflink.train.data.DataException;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.Normalization;
import dev.lstmflink.train.data.NumberedLine;
import dev.lstmflink.train.data.SeriesLoader;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.SequenceModel;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;

/**
 * Data-parallel training whose subtasks read their own shards from the input files: the client sends each epoch's
 * job the file paths, the settings, a {@link ShardPlan} (one row count per key) and the weights, never the rows.
 *
 * <p>Jobs, all {@code BATCH}, all reading the files with {@link FileSource} and {@link NumberedLineFormat} (whole
 * files, so that line numbers and bad-row reports stay exact; a key may span files, its rows are brought together by
 * {@code keyBy}):
 *
 * <ol>
 *   <li><b>scan</b>: per key, its row count, duplicate and out-of-order timestamps; per subtask, a summary of its
 *       bad rows and blank lines ({@link BadRowSummary}); to the client, which checks them as the in-process loader
 *       does.
 *   <li><b>normalization</b>: per key, the raw values of its training part, folded into one {@link Normalization} in
 *       sorted key order by a single subtask, exactly as {@link WindowSet} folds them in process (Welford's update is
 *       sequential, so the fold is too: a merge of per-key statistics would change the last bits, and with them
 *       every weight). Each key is handed over with its rank as the record time, so that Flink's batch sort delivers
 *       the keys in order and the fold holds one key at a time.
 *   <li><b>one job per epoch</b>: each key's rows are sorted and cut into {@link WindowBlock}s, which go to the shard
 *       that owns those windows ({@link ShardPlan}); shard s (subtask s) validates the weights it was sent on its
 *       validation windows, then trains its windows in their order in the epoch's shuffle of all windows, which it
 *       draws itself from the client's shuffling stream ({@link ShardTrainOperator}). The client averages, as
 *       {@link DataParallelEpochs} does, and runs the next epoch; a last job only validates.
 * </ol>
 *
 * <p>At P = 1 the single shard owns every window in the in-process order and validates them in the in-process
 * batches, so the run is bit-identical to {@link Trainer#train} on {@code WindowSet.build} of the same files (the
 * validation loss of epoch e is computed at the start of job e+1, on the weights the client sent). At P &gt; 1 the
 * shards own interleaved chunks of windows instead of random slices, and the validation loss is a sum of per-shard
 * sums: equal to the in-memory data-parallel trainer within its tolerance, not bit for bit.
 */
public final class ShardedTraining {

    private ShardedTraining() {}

    /** The files to read (absolute URIs, sorted by name as the in-process loader reads them) and the id columns. */
    public record Input(List<String> files, IdColumns idColumns) implements Serializable {

        /** A CSV file, or every {@code *.csv} of a folder; a missing file or an empty folder is a data error. */
        public static Input of(Path fileOrDir, IdColumns idColumns) throws IOException {
            List<Path> files = Files.isDirectory(fileOrDir) ? SeriesLoader.csvFiles(fileOrDir) : List.of(fileOrDir);
            if (files.isEmpty()) {
                throw new DataException(fileOrDir + ": the folder holds no *.csv file");
            }
            for (Path f : files) {
                if (!Files.isRegularFile(f)) {
                    throw new DataException(f + ": no such file");
                }
            }
            return new Input(files.stream().map(p -> p.toAbsolutePath().toUri().toString()).toList(),
                    idColumns == null ? IdColumns.NONE : idColumns);
        }

        FileSource<NumberedLine> source() {
            return FileSource.forBulkFileFormat(new NumberedLineFormat(), files.stream()
                    .map(f -> new org.apache.flink.core.fs.Path(URI.create(f)))
                    .toArray(org.apache.flink.core.fs.Path[]::new)).build();
        }

        /** File i's path, decoded (as a split's path prints it, without the scheme). */
        String path(int i) {
            return URI.create(files.get(i)).getPath();
        }

        /** File path → index in {@link #files}, by the decoded path (see {@link #pathPart}). */
        Map<String, Integer> index() {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < files.size(); i++) {
                m.put(path(i), i);
            }
            return m;
        }
    }

    /** The decoded path of a file as a split names it ({@code file:/data/a b.csv} gives {@code /data/a b.csv}). */
    static String pathPart(String file) {
        return new org.apache.flink.core.fs.Path(file).toUri().getPath();
    }

    /**
     * What the first pass found: the report (files, good and bad rows, time order), the keys (sorted) with their row
     * counts, k and m, and the normalization fitted on the training parts.
     */
    public record Scan(DataReport report, List<String> keys, int[] rows, int features, int ids,
                       Normalization normalization) {

        public ShardPlan plan(int window, int stride, double validationFraction, int parallelism) {
            return new ShardPlan(keys, rows, window, stride, validationFraction, parallelism);
        }
    }

    /** The training result and the size in bytes of the first epoch's serialized job graph. */
    public record Outcome(Trainer.Result result, long epochJobGraphBytes) {}

    // ---------------------------------------------------------------------------------------------- first pass

    /**
     * Reads the files twice on Flink (the scan and the normalization jobs, see the class comment).
     *
     * @throws DataException for unusable data, with the messages of the in-process loader and {@link WindowSet}
     */
    public static Scan scan(Input input, int parallelism, int window, int stride, double validationFraction)
            throws Exception {
        StreamExecutionEnvironment env = environment(parallelism);
        DataStream<ParsedRow> parsed = parsed(env, input);
        DataStream<ScanRecord> keys = parsed.flatMap(new ToKeyedRow(input.index())).name("good rows")
                .keyBy(new ByKey()).process(new KeyScanFunction()).name("scan each key");
        DataStream<ScanRecord> other = parsed.transform("sum up bad rows and blank lines",
                TypeInformation.of(ScanRecord.class), new BadRowSummary(input.index()));
        TreeMap<String, ScanRecord> byKey = new TreeMap<>();
        List<ScanRecord> summaries = new ArrayList<>();
        try (CloseableIterator<ScanRecord> it = keys.union(other).executeAndCollect("scan training data")) {
            while (it.hasNext()) {
                ScanRecord r = it.next();
                if (r.other != null) {
                    throw new DataException(r.other.fileError);
                } else if (r.key == null) {
                    summaries.add(r);
                } else {
                    byKey.put(r.key, r);
                }
            }
        }
        DataReport report = new DataReport();
        Set<Integer> withRows = new LinkedHashSet<>();
        Set<Integer> seen = new LinkedHashSet<>();
        long duplicates = 0;
        long outOfOrder = 0;
        long good = 0;
        int k = -1;
        int m = -1;
        String kOrigin = null;
        for (ScanRecord r : byKey.values()) {
            if (k < 0) {
                k = r.k;
                m = r.m;
                kOrigin = "key '" + r.key + "' (" + input.path(r.files[0]) + ")";
            } else if (r.k != k || r.m != m) {
                throw new DataException("key '" + r.key + "' (" + input.path(r.files[0]) + ") has " + r.k
                        + " feature(s) and " + r.m + " id(s) but " + kOrigin + " has " + k + " and " + m
                        + "; all series must have the same columns");
            }
            for (int f : r.files) {
                withRows.add(f);
                seen.add(f);
            }
            good += r.rows;
            duplicates += r.duplicates;
            outOfOrder += r.outOfOrder;
        }
        for (int i = 0; i < input.files().size(); i++) {
            report.addFile(input.path(i));
        }
        seen.addAll(BadRowSummary.merge(summaries, input.index(), report));
        for (int i = 0; i < input.files().size(); i++) {
            if (!seen.contains(i)) {
                throw new DataException(input.path(i) + ": the file is empty; expected a header line and data rows");
            }
        }
        report.addGoodRows(good);
        report.addTimeOrder(duplicates, outOfOrder);
        for (int i = 0; i < input.files().size(); i++) {
            if (!withRows.contains(i)) {
                throw new DataException(input.path(i) + ": no good data rows (" + report.badRows()
                        + " bad rows in all files)");
            }
        }
        if (byKey.isEmpty()) {
            throw new DataException("no series to make windows from");
        }
        List<String> keyList = new ArrayList<>(byKey.keySet());
        int[] rows = byKey.values().stream().mapToInt(r -> r.rows).toArray();
        for (int i = 0; i < rows.length; i++) {
            WindowSet.checkLength(keyList.get(i), rows[i], window, validationFraction);
        }
        ShardPlan plan = new ShardPlan(keyList, rows, window, stride, validationFraction, 1);
        Normalization norm = normalization(input, plan, parallelism, k);
        return new Scan(report, keyList, rows, k, m, norm);
    }

    /** The normalization job: the training parts' raw values, folded in sorted key order by one subtask. */
    private static Normalization normalization(Input input, ShardPlan plan, int parallelism, int k) throws Exception {
        StreamExecutionEnvironment env = environment(parallelism);
        DataStream<KeyValues> values = parsed(env, input).flatMap(new ToKeyedRow(input.index())).name("good rows")
                .keyBy(new ByKey()).process(new TrainingValuesFunction(plan)).name("training part of each key")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<KeyValues>noWatermarks()
                        .withTimestampAssigner((SerializableTimestampAssigner<KeyValues>) (v, t) -> v.rank));
        List<NormOut> out = new ArrayList<>();
        try (CloseableIterator<NormOut> it = values.keyBy(new Constant()).process(new NormFold(k, plan.keys.size()))
                .name("fold in key order").setParallelism(1).executeAndCollect("normalization of the training data")) {
            it.forEachRemaining(out::add);
        }
        if (out.size() != 1) {
            throw new IllegalStateException("the normalization job returned " + out.size() + " results");
        }
        return new Normalization(out.get(0).mean, out.get(0).std);
    }

    // ---------------------------------------------------------------------------------------------- epochs

    /**
     * Trains {@code model} (its parameters are the starting point and are left at the last epoch's) for
     * {@code options.epochs()} epochs with early stopping, as {@link DataParallelEpochs#train} does.
     */
    public static Outcome train(SequenceModel<float[]> model, Input input, Scan scan, int window, int stride,
                                double validationFraction, TrainOptions options, int parallelism,
                                Trainer.Listener listener) throws Exception {
        if (parallelism <= 0) {
            throw new IllegalArgumentException("parallelism must be > 0, got " + parallelism);
        }
        LstmConfig cfg = model.lstm().config();
        options.penalties().checkFits(new LstmLayout(cfg));
        ShardPlan plan = scan.plan(window, stride, validationFraction, parallelism);
        int[] sizes = Flat.sizes(cfg, model.head(), model.embedding());
        SplitMix64 shuffle = Trainer.shuffleStream(options);
        EarlyStopping stop = new EarlyStopping(options.patience());
        List<Trainer.EpochStats> history = new ArrayList<>();
        float[] m = null;
        float[] v = null;
        long steps = 0;
        long start = System.nanoTime();
        long graphBytes = -1;
        Pending pending = null;   // the epoch trained last, waiting for its validation loss
        for (int epoch = 0; epoch <= options.epochs(); epoch++) {
            boolean train = epoch < options.epochs();
            long t0 = System.nanoTime();
            double lr = train ? options.schedule().lr(epoch) : 0;
            long shuffleState = shuffle.state();
            if (train) {
                Trainer.epochOrder(shuffle, plan.trainCount());   // advances the stream as the subtasks will
            }
            EpochTask task = new EpochTask();
            task.epoch = epoch;
            task.lr = lr;
            task.params = Flat.join(model.parameters());
            task.adamM = m;
            task.adamV = v;
            task.adamSteps = steps;
            boolean validate = pending != null && plan.valCount() > 0;
            if (!train && !validate && pending == null) {
                break;
            }
            List<EpochResult> results;
            if (train || validate) {
                StreamExecutionEnvironment env = environment(parallelism);
                CloseableIterator<EpochResult> it = epochStream(env, input, scan, plan, model, options, task,
                        shuffleState, train, validate).collectAsync();
                StreamGraph graph = env.getStreamGraph();
                graph.setJobName((train ? "train epoch " + (epoch + 1) : "validate epoch " + epoch));
                if (graphBytes < 0) {
                    graphBytes = jobGraphBytes(graph);
                }
                env.executeAsync(graph);
                results = new ArrayList<>();
                try (it) {
                    it.forEachRemaining(results::add);
                }
                if (results.size() != parallelism) {
                    throw new IllegalStateException("epoch " + (epoch + 1) + ": " + results.size() + " of "
                            + parallelism + " shards came back");
                }
                results.sort(Comparator.comparingInt(r -> r.shard));
            } else {
                results = List.of();
            }
            if (pending != null) {
                if (model.embedding() != null && validate) {
                    // max_norm renorms the rows a validation batch looks up, in place, as in process
                    setParams(model, results.size() == 1 ? results.get(0).validatedParams
                            : mean(results.stream().map(r -> r.validatedParams).toList()), sizes);
                }
                double val = validationLoss(model, options, plan, results);
                // The epoch's time is its own job's (reading, cutting, training), not the next job's as well.
                Trainer.EpochStats s = stop.record(pending.epoch, options.epochs(), pending.trainLoss, val,
                        pending.lr, System.nanoTime() - pending.nanos, start, plan.trainCount(), model.parameters());
                history.add(s);
                if (listener != null) {
                    listener.epoch(s);
                }
                if (stop.shouldStop()) {
                    return new Outcome(stop.result(history, true), graphBytes);
                }
            }
            if (!train) {
                break;
            }
            EpochResult merged = results.size() == 1 ? results.get(0) : DataParallelEpochs.average(results);
            m = merged.adamM;
            v = merged.adamV;
            steps = merged.adamSteps;
            setParams(model, merged.params, sizes);
            if (results.size() > 1 && options.penalties().constrains()) {
                options.penalties().constrain(new LstmLayout(cfg), Precision.F32, model.lstm().params());
            }
            double lossSum = 0;
            long n = 0;
            for (EpochResult r : results) {
                lossSum += r.lossSum;
                n += r.windows;
            }
            pending = new Pending(epoch, lossSum / n, lr, System.nanoTime() - t0);
        }
        return new Outcome(stop.result(history, false), graphBytes);
    }

    /** An epoch trained, its validation loss still to come: its training loss, rate and job time. */
    private record Pending(int epoch, double trainLoss, double lr, long nanos) {}

    private static void setParams(SequenceModel<float[]> model, float[] flat, int[] sizes) {
        List<float[]> next = Flat.split(flat, sizes);
        for (int i = 0; i < next.size(); i++) {
            System.arraycopy(next.get(i), 0, model.parameters().get(i), 0, next.get(i).length);
        }
    }

    /** As {@code EpochRunner.validate(model, data, options)}: the shards' sums, plus the Keras penalty. */
    private static double validationLoss(SequenceModel<float[]> model, TrainOptions options, ShardPlan plan,
                                         List<EpochResult> results) {
        double lossSum = 0;
        long windows = 0;
        for (EpochResult r : results) {
            lossSum += r.valLossSum;
            windows += r.valWindows;
        }
        if (windows != plan.valCount()) {
            throw new IllegalStateException(windows + " of " + plan.valCount() + " validation windows came back");
        }
        if (windows == 0) {
            return Double.NaN;
        }
        if (options.penalties().regularizes()) {
            double penalty = options.penalties().penalty(new LstmLayout(model.lstm().config()), Precision.F32,
                    model.lstm().params());
            lossSum = lossSum + penalty * windows;
        }
        return lossSum / windows;
    }

    private static float[] mean(List<float[]> arrays) {
        EpochResult a = DataParallelEpochs.average(arrays.stream().map(p -> {
            EpochResult r = new EpochResult();
            r.params = p;
            return r;
        }).toList());
        return a.params;
    }

    /** One epoch's pipeline, up to the shards' results: what the client ships is built here. */
    static DataStream<EpochResult> epochStream(StreamExecutionEnvironment env, Input input, Scan scan, ShardPlan plan,
                                               SequenceModel<float[]> model, TrainOptions options, EpochTask task,
                                               long shuffleState, boolean train, boolean validate) {
        int p = plan.parallelism;
        return blocks(env, input, plan)
                .partitionCustom(new ToShard(), new BlockShard())
                .transform(train ? "train shard" : "validate shard", TypeInformation.of(EpochResult.class),
                        new ShardTrainOperator(plan, scan.normalization(), model.lstm().config(), model.head(),
                                model.embedding(), options, task, shuffleState, train, validate))
                .setParallelism(p);
    }

    /** Every key's rows, read from the files, sorted and cut into the blocks of the shards that own them. */
    static DataStream<WindowBlock> blocks(StreamExecutionEnvironment env, Input input, ShardPlan plan) {
        return parsed(env, input).flatMap(new ToKeyedRow(input.index())).name("good rows")
                .keyBy(new ByKey()).process(new WindowBlocksFunction(plan)).name("cut each key into window blocks");
    }

    /** The serialized size of the job graph of {@code graph}: what the client submits. */
    static long jobGraphBytes(StreamGraph graph) throws IOException {
        return InstantiationUtil.serializeObject(graph.getJobGraph()).length;
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    private static StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        return env;
    }

    private static DataStream<ParsedRow> parsed(StreamExecutionEnvironment env, Input input) {
        return env.fromSource(input.source(), WatermarkStrategy.noWatermarks(), "csv files")
                .flatMap(new CsvLineParser(input.idColumns())).name("parse CSV rows");
    }

    static final class ByKey implements KeySelector<KeyedRow, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(KeyedRow r) {
            return r.key;
        }
    }

    static final class Constant implements KeySelector<KeyValues, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer getKey(KeyValues v) {
            return 0;
        }
    }

    static final class BlockShard implements KeySelector<WindowBlock, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer getKey(WindowBlock b) {
            return b.shard;
        }
    }

    /** Shard s to subtask s. */
    static final class ToShard implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer shard, int partitions) {
            return shard;
        }
    }

    /** Good rows as {@link KeyedRow}s, with their file's index and line. */
    static final class ToKeyedRow implements FlatMapFunction<ParsedRow, KeyedRow> {
        private static final long serialVersionUID = 1L;
        private final HashMap<String, Integer> files;

        ToKeyedRow(Map<String, Integer> files) {
            this.files = new HashMap<>(files);
        }

        @Override
        public void flatMap(ParsedRow p, Collector<KeyedRow> out) {
            if (p.row != null) {
                Integer f = files.get(pathPart(p.file));
                if (f == null) {
                    throw new IllegalStateException(p.file + " is not one of the input files " + files.keySet());
                }
                out.collect(KeyedRow.of(p.row.key(), p.row.tsMillis(), f, p.line, p.row.values(), p.row.ids()));
            }
        }
    }

    /** One key's figures, a subtask's summary of bad rows and blank lines, or a file error. A Flink POJO. */
    public static class ScanRecord {
        public String key;
        public int rows;
        public int k;
        public int m;
        public int outOfOrder;
        public int duplicates;
        public int[] files;
        /** A whole-file error. */
        public ParsedRow other;
        /** A subtask's bad rows and blank lines ({@link BadRowSummary}; key null, {@code files} the files seen). */
        public long blankLines;
        public String[] kinds;
        public long[] kindCounts;
        public long[] kindFirst;
        public ParsedRow[] examples;

        public ScanRecord() {}
    }

    static final class KeyScanFunction extends PerKeyFunction<ScanRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        void onKey(SortedKey key, Collector<ScanRecord> out) {
            ScanRecord r = new ScanRecord();
            r.key = key.key();
            r.rows = key.n();
            r.k = key.k();
            r.m = key.m();
            r.outOfOrder = key.outOfOrder();
            r.duplicates = key.duplicates();
            r.files = key.files();
            out.collect(r);
        }
    }

    /** A key's rank among the sorted keys and the raw values of its training part ({@code rows × k}). */
    public static class KeyValues {
        public int rank;
        public int rows;
        public float[] values;

        public KeyValues() {}
    }

    static final class TrainingValuesFunction extends PerKeyFunction<KeyValues> {
        private static final long serialVersionUID = 1L;
        private final ShardPlan plan;

        TrainingValuesFunction(ShardPlan plan) {
            this.plan = plan;
        }

        @Override
        void onKey(SortedKey key, Collector<KeyValues> out) {
            int i = plan.sameKeyIndex(key);
            KeyValues v = new KeyValues();
            v.rank = i;
            v.rows = plan.trainRows[i];
            v.values = Arrays.copyOf(key.values(), v.rows * key.k());
            out.collect(v);
        }
    }

    /** The normalization's mean and std. A Flink POJO. */
    public static class NormOut {
        public float[] mean;
        public float[] std;

        public NormOut() {}
    }

    /**
     * Welford's fold of the keys' training values in rank order, as {@code WindowSet} does it. Keys that arrive early
     * wait in a map until their turn (with Flink's batch sort they arrive in order and none waits).
     */
    static final class NormFold extends KeyedProcessFunction<Integer, KeyValues, NormOut> {
        private static final long serialVersionUID = 1L;
        private final int k;
        private final int keys;
        private transient Normalization.Builder fit;
        private transient TreeMap<Integer, KeyValues> early;
        private transient int next;

        NormFold(int k, int keys) {
            this.k = k;
            this.keys = keys;
        }

        @Override
        public void processElement(KeyValues v, Context ctx, Collector<NormOut> out) {
            if (fit == null) {
                fit = Normalization.builder(k);
                early = new TreeMap<>();
            }
            early.put(v.rank, v);
            for (KeyValues e; (e = early.get(next)) != null; next++) {
                early.remove(next);
                fit.add(e.values, 0, e.rows);
            }
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<NormOut> out) {
            if (next != keys || !early.isEmpty()) {
                throw new IllegalStateException("the normalization saw " + next + " of " + keys + " keys in order");
            }
            Normalization n = fit.build();
            NormOut o = new NormOut();
            o.mean = n.mean();
            o.std = n.std();
            out.collect(o);
        }
    }
}
