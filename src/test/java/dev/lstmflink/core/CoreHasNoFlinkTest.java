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

/** The core library runs without Flink: no source file under {@code core/} imports {@code org.apache.flink}. */
class CoreHasNoFlinkTest {

    private static final Path CORE = Path.of("src/main/java/dev/lstmflink/core");

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

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
