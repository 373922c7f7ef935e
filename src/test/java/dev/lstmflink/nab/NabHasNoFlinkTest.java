package dev.lstmflink.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The NAB scorer is a plain library: no source file of {@code dev.lstmflink.nab} imports Flink. */
class NabHasNoFlinkTest {

    @Test
    void nabSourcesDoNotImportFlink() throws IOException {
        Path nab = Path.of("src/main/java/dev/lstmflink/nab");
        List<Path> sources;
        try (Stream<Path> s = Files.list(nab)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() >= 8, "expected the sources under " + nab.toAbsolutePath());
        List<String> offenders = sources.stream().filter(p -> {
            try {
                return Files.readString(p).lines().anyMatch(l -> l.matches("\\s*import\\s+(static\\s+)?org\\.apache\\.flink\\..*"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).map(Path::toString).toList();
        assertEquals(List.of(), offenders);
    }
}
