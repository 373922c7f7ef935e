package dev.lstmflink.flink.train;

import dev.lstmflink.train.data.DataReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums up the bad rows and blank lines a subtask met, so that the client receives a few numbers per subtask instead
 * of every bad row: per kind its count and where it was first met (file index, line), the first
 * {@value DataReport#MAX_EXAMPLES} bad rows by (file, line), the blank lines and the files seen. Merged in
 * {@link #merge}, the summaries give the report of the in-process loader, which meets the rows in (file, line) order.
 * A whole-file error (an unknown header) is passed on as it is.
 */
final class BadRowSummary extends AbstractStreamOperator<ShardedTraining.ScanRecord>
        implements OneInputStreamOperator<ParsedRow, ShardedTraining.ScanRecord>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final HashMap<String, Integer> files;
    private transient Map<String, long[]> kinds;   // kind -> {count, first file, first line}
    private transient List<ParsedRow> examples;
    private transient Set<Integer> seen;
    private transient long blank;

    BadRowSummary(Map<String, Integer> files) {
        this.files = new HashMap<>(files);
    }

    private int file(ParsedRow p) {
        return files.getOrDefault(ShardedTraining.pathPart(p.file), -1);
    }

    @Override
    public void processElement(StreamRecord<ParsedRow> element) {
        ParsedRow p = element.getValue();
        if (p.row != null) {
            return;
        }
        if (p.fileError != null) {
            ShardedTraining.ScanRecord r = new ShardedTraining.ScanRecord();
            r.other = p;
            output.collect(new StreamRecord<>(r));
            return;
        }
        if (kinds == null) {
            kinds = new HashMap<>();
            examples = new ArrayList<>();
            seen = new LinkedHashSet<>();
        }
        int f = file(p);
        seen.add(f);
        if (p.bad == null) {
            blank++;
            return;
        }
        long[] k = kinds.computeIfAbsent(p.bad.category(), c -> new long[] {0, Long.MAX_VALUE, Long.MAX_VALUE});
        k[0]++;
        if (f < k[1] || (f == k[1] && p.line < k[2])) {
            k[1] = f;
            k[2] = p.line;
        }
        examples.add(p);
        if (examples.size() > 4 * DataReport.MAX_EXAMPLES) {
            keepFirst();
        }
    }

    private Comparator<ParsedRow> byPlace() {
        return Comparator.<ParsedRow>comparingInt(this::file).thenComparingLong(p -> p.line);
    }

    private void keepFirst() {
        examples.sort(byPlace());
        examples.subList(Math.min(DataReport.MAX_EXAMPLES, examples.size()), examples.size()).clear();
    }

    @Override
    public void endInput() {
        if (kinds == null) {
            return;
        }
        keepFirst();
        ShardedTraining.ScanRecord r = new ShardedTraining.ScanRecord();
        r.blankLines = blank;
        r.kinds = kinds.keySet().toArray(new String[0]);
        r.kindCounts = new long[r.kinds.length];
        r.kindFirst = new long[r.kinds.length * 2];
        for (int i = 0; i < r.kinds.length; i++) {
            long[] k = kinds.get(r.kinds[i]);
            r.kindCounts[i] = k[0];
            r.kindFirst[2 * i] = k[1];
            r.kindFirst[2 * i + 1] = k[2];
        }
        r.examples = examples.toArray(new ParsedRow[0]);
        r.files = seen.stream().mapToInt(Integer::intValue).toArray();
        output.collect(new StreamRecord<>(r));
    }

    /** Adds the merged summaries to {@code report}; returns the indices of the files they saw. */
    static Set<Integer> merge(List<ShardedTraining.ScanRecord> summaries, Map<String, Integer> fileIndex,
                              DataReport report) {
        Map<String, long[]> kinds = new HashMap<>();
        List<ParsedRow> examples = new ArrayList<>();
        Set<Integer> seen = new LinkedHashSet<>();
        long blank = 0;
        for (ShardedTraining.ScanRecord r : summaries) {
            blank += r.blankLines;
            for (int i = 0; i < r.kinds.length; i++) {
                long[] k = kinds.computeIfAbsent(r.kinds[i], c -> new long[] {0, Long.MAX_VALUE, Long.MAX_VALUE});
                k[0] += r.kindCounts[i];
                long f = r.kindFirst[2 * i];
                long line = r.kindFirst[2 * i + 1];
                if (f < k[1] || (f == k[1] && line < k[2])) {
                    k[1] = f;
                    k[2] = line;
                }
            }
            examples.addAll(List.of(r.examples));
            for (int f : r.files) {
                seen.add(f);
            }
        }
        List<Map.Entry<String, long[]>> ordered = new ArrayList<>(kinds.entrySet());
        ordered.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> e.getValue()[1])
                .thenComparingLong(e -> e.getValue()[2]));
        for (Map.Entry<String, long[]> e : ordered) {
            report.addBadRows(e.getKey(), e.getValue()[0]);
        }
        examples.sort(Comparator.<ParsedRow>comparingInt(
                p -> fileIndex.getOrDefault(ShardedTraining.pathPart(p.file), -1)).thenComparingLong(p -> p.line));
        for (ParsedRow p : examples) {
            report.addExample(p.bad);
        }
        report.addBlankLines(blank);
        return seen;
    }
}
