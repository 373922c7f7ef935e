package dev.lstmflink.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The golden case files of a folder: a missing or empty folder fails the test run, it never skips it. */
public final class GoldenFiles {

    private GoldenFiles() {}

    /**
     * The {@code *.json} files of the folder named by system property {@code property}, or of {@code dflt} (relative
     * to the project directory, where Maven runs the tests).
     */
    public static List<Path> list(String property, String dflt) {
        Path dir = Path.of(System.getProperty(property, dflt));
        if (!Files.isDirectory(dir)) {
            fail("golden folder " + dir.toAbsolutePath() + " does not exist (set -D" + property + "=FOLDER)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            fail("golden folder " + dir.toAbsolutePath() + " holds no *.json case");
        }
        return files;
    }
}
