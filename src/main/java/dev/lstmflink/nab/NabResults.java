package dev.lstmflink.nab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a detector's results in NAB's layout: {@code <dir>/<category>/<prefix><file>.csv} for every series of the
 * corpus, with a header line, one row per data row in the data file's order, and the scored column found by its
 * header name ({@code anomaly_score} by default; e.g. {@code anomaly} for our detection job's 0/1 flags). The prefix
 * is {@code <detector>_} for NAB's published results ({@code results/numenta/realKnownCause/numenta_nyc_taxi.csv})
 * and empty for our detection job's output ({@code <out>/realKnownCause/nyc_taxi.csv}).
 *
 * <p>Nothing is guessed: a missing file, a missing column, a row count that differs from the data file's, or a cell
 * that is not a finite number is an {@link IOException} naming the file (and the counts, or the line). As in NAB, rows
 * are matched by position, not by timestamp.
 */
public final class NabResults {

    /** NAB's column of anomaly scores. */
    public static final String SCORE_COLUMN = "anomaly_score";

    private NabResults() {}

    /** The result file of a series: {@code <dir>/<category>/<prefix><file>.csv}. */
    public static Path resultFile(Path dir, String prefix, NabSeries series) {
        return dir.resolve(series.category()).resolve(prefix + series.fileName());
    }

    /**
     * Column {@code column} of every series' result file, as numbers in row order, keyed by the series' relative
     * path: the input of {@link NabScorer}.
     */
    public static Map<String, double[]> read(NabCorpus corpus, Path dir, String prefix, String column)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder (expected results as <dir>/<category>/<prefix><file>.csv)");
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (NabSeries s : corpus.series()) {
            if (!Files.isRegularFile(resultFile(dir, prefix, s))) {
                missing.add(resultFile(dir, prefix, s).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(missing.size() + " of the " + corpus.series().size() + " result files are missing: "
                    + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? ", ..." : "") + " (prefix '" + prefix + "')");
        }
        for (NabSeries s : corpus.series()) {
            out.put(s.relativePath(), readFile(resultFile(dir, prefix, s), column, s));
        }
        return out;
    }

    /** One result file's column, checked against its series' row count. */
    static double[] readFile(Path file, String column, NabSeries series) throws IOException {
        NabCsv.Column c = NabCsv.readColumn(file, column);
        if (c.rows() != series.rows()) {
            throw new IOException(file + ": " + c.rows() + " result rows, but the data file " + series.relativePath()
                    + " has " + series.rows() + " rows (a result file needs one row per data row, in order)");
        }
        double[] out = new double[c.rows()];
        for (int i = 0; i < out.length; i++) {
            String cell = c.cells()[i];
            double v;
            try {
                v = Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!Double.isFinite(v)) {
                throw new IOException(file + " line " + c.lines()[i] + ": " + column + " is '" + cell
                        + "', not a finite number");
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * The file-name prefix of the results in {@code dir}: the one prefix {@code P} such that
     * {@code <dir>/<category>/P<file>} exists for every series ({@code numenta_} for NAB's results, empty for ours).
     * None, or more than one, is an error that says which.
     */
    public static String detectPrefix(NabCorpus corpus, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder (expected results as <dir>/<category>/<prefix><file>.csv)");
        }
        NabSeries first = corpus.series().get(0);
        TreeSet<String> candidates = new TreeSet<>();
        Path folder = dir.resolve(first.category());
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(first.fileName()) && Files.isRegularFile(f)) {
                        candidates.add(name.substring(0, name.length() - first.fileName().length()));
                    }
                }
            }
        }
        candidates.removeIf(p -> !corpus.series().stream().allMatch(s -> Files.isRegularFile(resultFile(dir, p, s))));
        if (candidates.size() == 1) {
            return candidates.first();
        }
        if (candidates.isEmpty()) {
            throw new IOException(dir + ": no file-name prefix P gives a result file <category>/P<file> for every "
                    + "series (looked for e.g. " + folder.resolve("*" + first.fileName()) + "); give the prefix");
        }
        throw new IOException(dir + ": several file-name prefixes give a result file for every series: "
                + candidates.stream().map(p -> "'" + p + "'").toList() + "; give the prefix");
    }

    /** A name for the results: the prefix without its trailing underscore, else the folder's name. */
    static String label(Path dir, String prefix) {
        if (!prefix.isEmpty()) {
            return prefix.endsWith("_") ? prefix.substring(0, prefix.length() - 1) : prefix;
        }
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? dir.toString() : name.toString();
    }
}
