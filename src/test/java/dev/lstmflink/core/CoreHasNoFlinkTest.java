package dev.lstmflink.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core library runs without Flink: no source file under {@code core/} imports {@code org.apache.flink}. And the CSV
 * reader that every job shares ({@code csv/}) imports only the JDK, so any package may use it.
 */
class CoreHasNoFlinkTest {

    private static final Path CORE = Path.of("src/main/java/dev/lstmflink/core");
    private static final Path TRAIN = Path.of("src/main/java/dev/lstmflink/train");
    private static final Path CSV = Path.of("src/main/java/dev/lstmflink/csv");
    /** The one Flink class of train/: the file format the Flink training job reads CSVs with. */
    private static final String TRAIN_FLINK_FORMAT = "NumberedLineFormat.java";

    @Test
    void coreSourcesDoNotImportFlink() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.walk(CORE)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue(sources.size() >= 10, "expected the core sources under " + CORE.toAbsolutePath());
        List<String> offenders = sources.stream()
                .filter(p -> read(p).lines().anyMatch(l -> l.matches("\\s*import\\s+(static\\s+)?org\\.apache\\.flink\\..*")))
                .map(Path::toString)
                .collect(Collectors.toList());
        assertEquals(List.of(), offenders, "core must not depend on Flink");
    }

    @Test
    void trainDependsOnCoreNotOnFlinkButForItsFileFormat() throws IOException {
        List<String> offenders;
        try (Stream<Path> s = Files.walk(TRAIN)) {
            offenders = s.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals(TRAIN_FLINK_FORMAT))
                    .filter(p -> read(p).lines().anyMatch(l -> l.matches("\\s*import\\s+(static\\s+)?org\\.apache\\.flink\\..*")))
                    .map(Path::toString).collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders, "train/ must not depend on Flink (the Flink side lives in flink/train)");
        assertTrue(Files.exists(TRAIN.resolve("data").resolve(TRAIN_FLINK_FORMAT)), "the named exception exists");
    }

    @Test
    void csvImportsOnlyTheJdk() throws IOException {
        List<String> offenders;
        try (Stream<Path> s = Files.walk(CSV)) {
            offenders = s.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(p -> read(p).lines().filter(l -> l.matches("\\s*import\\s.*"))
                            .filter(l -> !l.matches("\\s*import\\s+(static\\s+)?java\\..*")).map(l -> p + ": " + l))
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders, "csv/ must import nothing but java.*");
        assertTrue(Files.exists(CSV.resolve("CsvCells.java")), "expected the sources under " + CSV.toAbsolutePath());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
