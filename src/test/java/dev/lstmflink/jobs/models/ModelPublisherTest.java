package dev.lstmflink.jobs.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.testutil.VersionedModels;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelPublisher}: the model lands under its version's (sanitised) name with its exact bytes and nothing else
 * is left in the folder; a version already published, or a file that is not a model, is refused with a message
 * naming the path.
 */
class ModelPublisherTest {

    @TempDir
    Path tmp;

    @Test
    void publishesTheModelUnderItsVersionAndLeavesNoTempFile() throws IOException {
        Path model = VersionedModels.write(tmp.resolve("in/model.safetensors"), "v1", 1);
        Path folder = tmp.resolve("watched/models");   // missing: created

        ModelPublisher.Published p = ModelPublisher.publish(model.toString(), folder.toString());
        Path published = folder.resolve("v1.safetensors");
        assertEquals(new ModelPublisher.Published("v1", published.toAbsolutePath().toString(), Files.size(model)), p);
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(published));
        assertEquals(List.of("v1.safetensors"), names(folder), "no temp file left behind");
    }

    @Test
    void aFolderGivenAsAFileUriWorksAndIsShownAsAUri() throws IOException {
        Path model = VersionedModels.write(tmp.resolve("model.safetensors"), "v2", 2);
        Path folder = Files.createDirectories(tmp.resolve("uri"));
        ModelPublisher.Published p = ModelPublisher.publish(model.toString(), folder.toUri().toString());
        assertTrue(p.location().startsWith("file:") && p.location().endsWith("/uri/v2.safetensors"), p.location());
        assertEquals(List.of("v2.safetensors"), names(folder));
    }

    @Test
    void aPublishedVersionIsNeverReplaced() throws IOException {
        Path first = VersionedModels.write(tmp.resolve("a.safetensors"), "v1", 1);
        Path second = VersionedModels.write(tmp.resolve("b.safetensors"), "v1", 2);   // other weights, same version
        Path folder = tmp.resolve("models");
        ModelPublisher.publish(first.toString(), folder.toString());

        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> ModelPublisher.publish(second.toString(), folder.toString()));
        Path target = folder.resolve("v1.safetensors").toAbsolutePath();
        assertEquals(target.toString(), e.getFile());
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("already published"),
                e.getMessage());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(target), "the published file is unchanged");
        assertEquals(List.of("v1.safetensors"), names(folder));
    }

    @Test
    void aFileThatIsNotAModelIsRefusedWithTheReadersMessage() throws IOException {
        byte[] broken = Arrays.copyOf(VersionedModels.bytes("v1", 1), 200);   // header cut short
        Path model = Files.write(tmp.resolve("broken.safetensors"), broken);
        Path folder = tmp.resolve("models");

        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> ModelPublisher.publish(model.toString(), folder.toString()));
        SafetensorsFormatException reader = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.read(model));
        assertEquals(reader.getMessage(), e.getMessage());
        assertTrue(e.getMessage().startsWith(model.toString()), e.getMessage());
        assertFalse(Files.exists(folder) && !names(folder).isEmpty(), "nothing published");
    }

    @Test
    void theVersionIsSanitisedIntoAFileNameTheWatcherDoesNotSkip() throws IOException {
        assertEquals("sha256_0123abcd.safetensors", ModelPublisher.fileName("sha256:0123abcd"));
        assertEquals("taxi_v2_2024-01-01.safetensors", ModelPublisher.fileName("taxi v2/2024-01-01"));
        assertEquals("-hidden.safetensors", ModelPublisher.fileName(".hidden"));
        assertEquals("-underscore.safetensors", ModelPublisher.fileName("_underscore"));
        assertEquals("-._etc_passwd.safetensors", ModelPublisher.fileName("../etc/passwd"));

        Path model = VersionedModels.write(tmp.resolve("m.safetensors"), "../up and away", 3);
        Path folder = tmp.resolve("models");
        ModelPublisher.Published p = ModelPublisher.publish(model.toString(), folder.toString());
        assertEquals("../up and away", p.version());
        assertEquals(List.of("-._up_and_away.safetensors"), names(folder), "inside the folder, not hidden");
        assertEquals("../up and away", LstmModelFile.read(folder.resolve("-._up_and_away.safetensors")).version());
    }

    @Test
    void aModelWithoutAVersionIsPublishedUnderItsHash() throws IOException {
        Path model = tmp.resolve("nometa.safetensors");
        Files.write(model, TestModels.withHead(LstmConfig.of(1, 3), 1, 5));
        String version = LstmModelFile.read(model).version();
        assertTrue(version.startsWith("sha256:"), version);
        ModelPublisher.publish(model.toString(), tmp.resolve("models").toString());
        assertEquals(List.of(version.replace(':', '_') + ".safetensors"), names(tmp.resolve("models")));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
