package dev.lstmflink.nab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small hand-made NAB series for the tests: timestamps every 5 minutes from 2020-01-01 00:00. */
final class NabFixtures {

    static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);

    /** A custom profile whose weights are easy to follow by hand: TP 1, FP 0.5, FN 2. */
    static final NabProfile CUSTOM = new NabProfile("custom", 1.0, 0.5, 2.0, 0.0);
    /** NAB's standard profile. */
    static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0, 1.0);

    private NabFixtures() {}

    static LocalDateTime ts(int row) {
        return T0.plusMinutes(5L * row);
    }

    static List<LocalDateTime> timestamps(int rows) {
        List<LocalDateTime> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.add(ts(i));
        }
        return out;
    }

    /** A series of {@code rows} rows with windows given as {first row, last row} pairs. */
    static NabSeries series(String path, int rows, int[]... windows) {
        List<LocalDateTime> t = timestamps(rows);
        List<NabWindow> w = new ArrayList<>();
        for (int[] x : windows) {
            w.add(NabWindow.locate(t, t.get(x[0]), t.get(x[1]), path));
        }
        return new NabSeries(path, t, w);
    }

    /** {@code rows} scores of {@code background}, with {row, score} pairs set. */
    static double[] scores(int rows, double background, double... rowScore) {
        double[] s = new double[rows];
        java.util.Arrays.fill(s, background);
        for (int i = 0; i < rowScore.length; i += 2) {
            s[(int) rowScore[i]] = rowScore[i + 1];
        }
        return s;
    }

    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * Writes an in-memory corpus as a NAB folder: data/&lt;path&gt; ({@code timestamp,value}),
     * labels/combined_windows.json (limits with NAB's {@code .000000} fraction) and config/profiles.json.
     */
    static Path writeCorpus(Path root, NabCorpus corpus) throws IOException {
        StringBuilder windows = new StringBuilder("{\n");
        for (NabSeries s : corpus.series()) {
            Path f = root.resolve("data").resolve(s.relativePath());
            Files.createDirectories(f.getParent());
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < s.rows(); i++) {
                csv.append(FORMAT.format(s.timestamps().get(i))).append(',').append(i % 7).append('\n');
            }
            Files.writeString(f, csv);
            if (windows.length() > 2) {
                windows.append(",\n");
            }
            windows.append("  \"").append(s.relativePath()).append("\": [");
            for (int j = 0; j < s.windows().size(); j++) {
                NabWindow w = s.windows().get(j);
                windows.append(j > 0 ? ", " : "").append("[\"").append(FORMAT.format(w.start())).append(".000000\", \"")
                        .append(FORMAT.format(w.end())).append(".000000\"]");
            }
            windows.append(']');
        }
        Files.createDirectories(root.resolve("labels"));
        Files.writeString(root.resolve("labels/combined_windows.json"), windows.append("\n}\n"));
        StringBuilder profiles = new StringBuilder("{");
        for (NabProfile p : corpus.profiles()) {
            profiles.append(profiles.length() > 1 ? ",\n" : "\n").append(String.format(java.util.Locale.ROOT,
                    "\"%s\": {\"CostMatrix\": {\"tpWeight\": %s, \"fnWeight\": %s, \"fpWeight\": %s, "
                            + "\"tnWeight\": %s}}", p.name(), p.tpWeight(), p.fnWeight(), p.fpWeight(), p.tnWeight()));
        }
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/profiles.json"), profiles.append("\n}\n"));
        return root;
    }

    /**
     * Writes results as our detection job does ({@code <dir>/<category>/<prefix><file>}, columns
     * {@code timestamp,value,anomaly_score,anomaly,dead_letter}): anomaly is 1 where the score is at least 0.5, and
     * dead_letter a quoted cell with a comma, which the reader must not split.
     */
    static Path writeResults(Path dir, String prefix, NabCorpus corpus, Map<String, double[]> scores)
            throws IOException {
        for (NabSeries s : corpus.series()) {
            Path f = dir.resolve(s.category()).resolve(prefix + s.fileName());
            Files.createDirectories(f.getParent());
            double[] x = scores.get(s.relativePath());
            StringBuilder csv = new StringBuilder("timestamp,value,anomaly_score,anomaly,dead_letter\n");
            for (int i = 0; i < s.rows(); i++) {
                csv.append(FORMAT.format(s.timestamps().get(i))).append(',').append(i % 7).append(',').append(x[i])
                        .append(',').append(x[i] >= 0.5 ? 1 : 0).append(',').append(i == 3 ? "\"bad, record\"" : "")
                        .append('\n');
            }
            Files.writeString(f, csv);
        }
        return dir;
    }
}
