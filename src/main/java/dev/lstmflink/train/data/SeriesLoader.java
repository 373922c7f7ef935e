package dev.lstmflink.train.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads series CSVs from a file or a folder, without Flink, for the training job's local mode and for tests.
 *
 * <p>A folder means all its {@code *.csv} files (not sub-folders), in name order. Each file is read as UTF-8 line by
 * line with a {@link RowParser} made from its header: good rows go to a {@link SeriesSet}, bad rows to the
 * {@link DataReport}. Whole-file problems are {@link DataException}s that name the file: no file to read, an empty
 * file, an unknown header, a header without data rows, a file none of whose rows is good, a feature count that
 * differs from the other files'. Whether a series is long enough is decided later, by {@link WindowSet}.
 */
public final class SeriesLoader {

    /** The loaded rows and the report on them. */
    public record Result(SeriesSet series, DataReport report) {}

    private SeriesLoader() {}

    /**
     * Loads one CSV file, or every {@code *.csv} in a folder.
     *
     * @throws DataException for unusable data (the message names the file)
     * @throws IOException when a file cannot be read
     */
    public static Result load(Path fileOrDir) throws IOException {
        return load(fileOrDir, IdColumns.NONE);
    }

    /** As {@link #load(Path)}, the {@code idColumns} read as categorical ids (bad ids are bad rows). */
    public static Result load(Path fileOrDir, IdColumns idColumns) throws IOException {
        List<Path> files = Files.isDirectory(fileOrDir) ? csvFiles(fileOrDir) : List.of(fileOrDir);
        if (files.isEmpty()) {
            throw new DataException(fileOrDir + ": the folder holds no *.csv file");
        }
        SeriesSet set = new SeriesSet();
        DataReport report = new DataReport();
        for (Path f : files) {
            loadFile(f, set, report, idColumns);
        }
        report.addTimeOrder(set);
        return new Result(set, report);
    }

    /** The {@code *.csv} files directly in {@code dir}, sorted by name. */
    public static List<Path> csvFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Reads one file into {@code set} and {@code report} (errors as for {@link #load}). */
    public static void loadFile(Path file, SeriesSet set, DataReport report) throws IOException {
        loadFile(file, set, report, IdColumns.NONE);
    }

    /** As {@link #loadFile(Path, SeriesSet, DataReport)}, with id columns. */
    public static void loadFile(Path file, SeriesSet set, DataReport report, IdColumns idColumns)
            throws IOException {
        String name = file.toString();
        long lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || (header.isBlank() && onlyBlank(in))) {
                throw new DataException(name + ": the file is empty; expected a header line " + CsvLayout.ACCEPTED
                        + " and data rows");
            }
            lineNo = 1;
            RowParser parser = RowParser.forHeader(name, header, idColumns);
            set.requireFeatureCount(parser.featureCount(), name);
            report.addFile(name);
            long good = 0;
            long bad = 0;
            BadRow firstBad = null;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                ParseResult r = parser.parse(lineNo, line);
                report.count(r);
                if (r.isRow()) {
                    set.add(name, r.row());
                    good++;
                } else if (r.isBad()) {
                    bad++;
                    if (firstBad == null) {
                        firstBad = r.bad();
                    }
                }
            }
            if (good + bad == 0) {
                throw new DataException(name + ": the file has a header ('" + header.trim()
                        + "') but no data rows");
            }
            if (good == 0) {
                throw new DataException(name + ": none of its " + bad + " data rows is good; the first bad row: "
                        + firstBad);
            }
        } catch (CharacterCodingException e) {
            throw new DataException(name + ":" + (lineNo + 1) + ": not UTF-8 text", e);
        }
    }

    private static boolean onlyBlank(BufferedReader in) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isBlank()) {
                return false;
            }
        }
        return true;
    }
}
