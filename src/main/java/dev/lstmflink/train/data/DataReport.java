package dev.lstmflink.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What loading the data found, so a run can say how much of its input it used and why rows were dropped: files
 * read, data rows read (non-blank lines after the header), good and bad rows, bad rows counted by
 * {@linkplain BadRow#category() kind}, the first {@value #MAX_EXAMPLES} bad rows with {@code file:line}, and the
 * duplicate and out-of-order timestamps that sorting met. Not thread-safe; {@link #merge} combines the reports of
 * parallel readers.
 */
public final class DataReport {

    /** How many bad rows are kept as examples. */
    public static final int MAX_EXAMPLES = 20;

    private static final int SHOWN_IN_SUMMARY = 5;

    private final List<String> files = new ArrayList<>();
    private long goodRows;
    private long badRows;
    private long blankLines;
    private long duplicateTimestamps;
    private long outOfOrderRows;
    private final Map<String, Long> badByReason = new LinkedHashMap<>();
    private final List<BadRow> firstBadRows = new ArrayList<>();

    /** Notes that a file was read. */
    public void addFile(String file) {
        files.add(file);
    }

    /** Counts one parse result. */
    public void count(ParseResult r) {
        if (r.isRow()) {
            goodRows++;
        } else if (r.isBad()) {
            addBad(r.bad());
        } else {
            blankLines++;
        }
    }

    /** Counts one bad row and keeps it if fewer than {@value #MAX_EXAMPLES} are kept. */
    public void addBad(BadRow bad) {
        badRows++;
        badByReason.merge(bad.category(), 1L, Long::sum);
        if (firstBadRows.size() < MAX_EXAMPLES) {
            firstBadRows.add(bad);
        }
    }

    /**
     * Counts {@code n} bad rows of one kind found elsewhere (e.g. summed on Flink subtasks); call it in the order the
     * kinds were first met, then {@link #addExample} for the first bad rows.
     */
    public void addBadRows(String category, long n) {
        badRows += n;
        badByReason.merge(category, n, Long::sum);
    }

    /** Keeps a bad row as an example (counted with {@link #addBadRows}) if fewer than {@value #MAX_EXAMPLES} are kept. */
    public void addExample(BadRow bad) {
        if (firstBadRows.size() < MAX_EXAMPLES) {
            firstBadRows.add(bad);
        }
    }

    /** Counts {@code n} blank lines at once. */
    public void addBlankLines(long n) {
        blankLines += n;
    }

    /** Counts {@code n} good rows at once (a reader that counted them elsewhere, e.g. per key). */
    public void addGoodRows(long n) {
        goodRows += n;
    }

    /** Adds duplicate and out-of-order timestamp counts found elsewhere (e.g. per key on Flink subtasks). */
    public void addTimeOrder(long duplicates, long outOfOrder) {
        duplicateTimestamps += duplicates;
        outOfOrderRows += outOfOrder;
    }

    /** Adds the duplicate and out-of-order timestamp counts of all keys of {@code set}. */
    public void addTimeOrder(SeriesSet set) {
        for (String key : set.keys()) {
            duplicateTimestamps += set.duplicateTimestamps(key);
            outOfOrderRows += set.outOfOrderRows(key);
        }
    }

    /** Adds another report's counts to this one (examples up to the limit, this report's first). */
    public void merge(DataReport other) {
        files.addAll(other.files);
        goodRows += other.goodRows;
        badRows += other.badRows;
        blankLines += other.blankLines;
        duplicateTimestamps += other.duplicateTimestamps;
        outOfOrderRows += other.outOfOrderRows;
        other.badByReason.forEach((k, v) -> badByReason.merge(k, v, Long::sum));
        for (BadRow b : other.firstBadRows) {
            if (firstBadRows.size() < MAX_EXAMPLES) {
                firstBadRows.add(b);
            }
        }
    }

    public List<String> files() {
        return Collections.unmodifiableList(files);
    }

    /** Data rows read: good + bad (blank lines and headers are not rows). */
    public long rowsRead() {
        return goodRows + badRows;
    }

    public long goodRows() {
        return goodRows;
    }

    public long badRows() {
        return badRows;
    }

    public long blankLines() {
        return blankLines;
    }

    public long duplicateTimestamps() {
        return duplicateTimestamps;
    }

    public long outOfOrderRows() {
        return outOfOrderRows;
    }

    /** Bad rows per kind, kinds in the order first met. */
    public Map<String, Long> badRowsByReason() {
        return Collections.unmodifiableMap(badByReason);
    }

    /** The first {@value #MAX_EXAMPLES} bad rows, in the order met. */
    public List<BadRow> firstBadRows() {
        return Collections.unmodifiableList(firstBadRows);
    }

    /** A few lines: the counts, the bad rows by kind and the first few bad rows. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(files.size()).append(files.size() == 1 ? " file, " : " files, ")
                .append(rowsRead()).append(" rows read: ").append(goodRows).append(" good, ")
                .append(badRows).append(" bad");
        if (!badByReason.isEmpty()) {
            sb.append(" (");
            String sep = "";
            for (Map.Entry<String, Long> e : badByReason.entrySet()) {
                sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
                sep = "; ";
            }
            sb.append(')');
        }
        if (duplicateTimestamps > 0 || outOfOrderRows > 0) {
            sb.append("; ").append(duplicateTimestamps).append(" duplicate timestamp(s), ")
                    .append(outOfOrderRows).append(" row(s) out of time order (sorted)");
        }
        int shown = Math.min(SHOWN_IN_SUMMARY, firstBadRows.size());
        for (int i = 0; i < shown; i++) {
            sb.append("\n  ").append(firstBadRows.get(i));
        }
        if (badRows > shown) {
            sb.append("\n  ... ").append(badRows - shown).append(" more bad row(s)");
        }
        return sb.toString();
    }
}
