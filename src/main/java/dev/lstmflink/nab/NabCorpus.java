package dev.lstmflink.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A NAB corpus: its series with their labelled windows, and its application profiles. {@link #load(Path)} reads a
 * folder laid out as NAB's repository is ({@code data/<category>/<file>.csv} with a {@code timestamp} column,
 * {@code labels/combined_windows.json}, {@code config/profiles.json}); {@link #of} builds one in memory (tests).
 *
 * <p>The series are the files named in the windows file (as NAB scores them), sorted by relative path; data files the
 * windows file does not name are not part of the corpus. See Lavin &amp; Ahmad 2015 for the corpus and its labels.
 *
 * @param root the folder it was read from; null for a corpus built in memory
 */
public record NabCorpus(Path root, List<NabSeries> series, List<NabProfile> profiles) {

    /** The windows file, relative to the corpus folder. */
    public static final String WINDOWS_FILE = "labels/combined_windows.json";
    /** The profiles file, relative to the corpus folder. */
    public static final String PROFILES_FILE = "config/profiles.json";
    /** The folder of the data series, relative to the corpus folder. */
    public static final String DATA_DIR = "data";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Timestamps as NAB's files write them, {@code 2014-02-19 10:50:00} or with a fraction
     * ({@code 2014-02-19 10:50:00.000000}, the windows file); a {@code T} instead of the space and a time without
     * seconds or with no time at all are accepted too.
     */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalEnd().optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .toFormatter().withResolverStyle(ResolverStyle.STRICT);

    public NabCorpus {
        series = List.copyOf(series);
        profiles = List.copyOf(profiles);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs at least one series");
        }
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs at least one profile");
        }
        if (series.stream().map(NabSeries::relativePath).distinct().count() != series.size()) {
            throw new IllegalArgumentException("two series with the same path");
        }
        if (profiles.stream().map(NabProfile::name).distinct().count() != profiles.size()) {
            throw new IllegalArgumentException("two profiles with the same name");
        }
    }

    /** A corpus built in memory, with no folder. */
    public static NabCorpus of(List<NabSeries> series, List<NabProfile> profiles) {
        return new NabCorpus(null, series, profiles);
    }

    /** Reads the corpus in folder {@code root}: data, windows and profiles. */
    public static NabCorpus load(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a folder (expected a NAB corpus with data/, labels/, config/)");
        }
        Map<String, List<LocalDateTime[]>> limits = readWindows(root.resolve(WINDOWS_FILE));
        List<NabSeries> series = new ArrayList<>();
        for (Map.Entry<String, List<LocalDateTime[]>> e : limits.entrySet()) {
            String path = e.getKey();
            Path file = root.resolve(DATA_DIR).resolve(path);
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + ": no such data file, though " + root.resolve(WINDOWS_FILE)
                        + " names " + path);
            }
            List<LocalDateTime> timestamps = readTimestamps(file);
            List<NabWindow> windows = new ArrayList<>();
            try {
                for (LocalDateTime[] w : e.getValue()) {
                    windows.add(NabWindow.locate(timestamps, w[0], w[1], file.toString()));
                }
                series.add(new NabSeries(path, timestamps, windows));
            } catch (IllegalArgumentException ex) {
                throw new IOException(ex.getMessage(), ex);
            }
        }
        return new NabCorpus(root, series, readProfiles(root.resolve(PROFILES_FILE)));
    }

    /** The series with this relative path ({@code realKnownCause/nyc_taxi.csv}). */
    public NabSeries series(String relativePath) {
        for (NabSeries s : series) {
            if (s.relativePath().equals(relativePath)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no series " + relativePath + " in the corpus");
    }

    /** The profile with this name ({@code standard}). */
    public NabProfile profile(String name) {
        for (NabProfile p : profiles) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no profile " + name + " in the corpus; it has "
                + profiles.stream().map(NabProfile::name).toList());
    }

    /** The categories, in the order of the series (sorted when loaded). */
    public List<String> categories() {
        return series.stream().map(NabSeries::category).distinct().toList();
    }

    /** The number of labelled windows in the corpus. */
    public int windowCount() {
        return series.stream().mapToInt(s -> s.windows().size()).sum();
    }

    /** The number of data rows in the corpus. */
    public long rowCount() {
        return series.stream().mapToLong(NabSeries::rows).sum();
    }

    /** Parses a timestamp as NAB's data and windows files write it. */
    public static LocalDateTime parseTimestamp(String text) {
        try {
            return LocalDateTime.parse(text.trim(), TIMESTAMP);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff]): '" + text + "'", e);
        }
    }

    /** The timestamps of a data file, its {@code timestamp} column in row order. */
    static List<LocalDateTime> readTimestamps(Path file) throws IOException {
        NabCsv.Column c = NabCsv.readColumn(file, "timestamp");
        List<LocalDateTime> out = new ArrayList<>(c.rows());
        for (int i = 0; i < c.rows(); i++) {
            try {
                out.add(parseTimestamp(c.cells()[i]));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + c.lines()[i] + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** {@code {"category/file.csv": [["start", "end"], ...], ...}}, sorted by path. */
    static Map<String, List<LocalDateTime[]>> readWindows(Path file) throws IOException {
        JsonNode root = readJson(file);
        if (!root.isObject()) {
            throw new IOException(file + ": expected an object {\"category/file.csv\": [[start, end], ...]}");
        }
        Map<String, List<LocalDateTime[]>> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray()) {
                throw new IOException(file + ": " + e.getKey() + ": expected a list of [start, end], got "
                        + e.getValue());
            }
            List<LocalDateTime[]> windows = new ArrayList<>();
            for (JsonNode w : e.getValue()) {
                if (!w.isArray() || w.size() != 2 || !w.get(0).isTextual() || !w.get(1).isTextual()) {
                    throw new IOException(file + ": " + e.getKey() + ": expected [\"start\", \"end\"], got " + w);
                }
                try {
                    windows.add(new LocalDateTime[] {parseTimestamp(w.get(0).asText()),
                        parseTimestamp(w.get(1).asText())});
                } catch (IllegalArgumentException ex) {
                    throw new IOException(file + ": " + e.getKey() + ": " + ex.getMessage(), ex);
                }
            }
            out.put(e.getKey(), windows);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": names no data file");
        }
        return out;
    }

    /**
     * NAB's {@code config/profiles.json}: {@code {"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0,
     * "fpWeight": 0.11, "tnWeight": 1.0}}, ...}}, in the file's order. {@code tnWeight} may be absent (it is unused).
     */
    public static List<NabProfile> readProfiles(Path file) throws IOException {
        JsonNode root = readJson(file);
        if (!root.isObject() || root.isEmpty()) {
            throw new IOException(file + ": expected an object {\"profile\": {\"CostMatrix\": {...}}, ...}");
        }
        Map<String, NabProfile> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue().path("CostMatrix");
            if (!m.isObject()) {
                throw new IOException(file + ": profile " + e.getKey() + " has no CostMatrix object");
            }
            try {
                out.put(e.getKey(), new NabProfile(e.getKey(), weight(file, e.getKey(), m, "tpWeight"),
                        weight(file, e.getKey(), m, "fpWeight"), weight(file, e.getKey(), m, "fnWeight"),
                        m.has("tnWeight") ? weight(file, e.getKey(), m, "tnWeight") : 0.0));
            } catch (IllegalArgumentException ex) {
                throw new IOException(file + ": " + ex.getMessage(), ex);
            }
        }
        return List.copyOf(out.values());
    }

    private static double weight(Path file, String profile, JsonNode matrix, String name) throws IOException {
        JsonNode w = matrix.get(name);
        if (w == null || !w.isNumber()) {
            throw new IOException(file + ": profile " + profile + ": CostMatrix." + name + " must be a number, got "
                    + w);
        }
        return w.doubleValue();
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || n.isMissingNode()) {
            throw new IOException(file + ": empty, expected JSON");
        }
        return n;
    }
}
