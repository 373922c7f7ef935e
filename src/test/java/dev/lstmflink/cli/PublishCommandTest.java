package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cli.LstmCliTest.Run;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.testutil.VersionedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lstm publish MODEL --to FOLDER}: what it prints, and exit code 2 with a message naming the path on errors. */
class PublishCommandTest {

    @TempDir
    Path tmp;

    @Test
    void publishesAndSaysWhatWhereAndHowLarge() throws Exception {
        Path model = VersionedModels.write(tmp.resolve("model.safetensors"), "taxi-v2", 1);
        Path folder = tmp.resolve("models");
        Run r = LstmCliTest.run("publish", model.toString(), "--to", folder.toString());
        assertEquals(0, r.code(), r.err());
        Path published = folder.resolve("taxi-v2.safetensors").toAbsolutePath();
        assertEquals("published taxi-v2 to " + published + " (" + Files.size(model) + " bytes)", r.out().strip());
        assertEquals("", r.err());
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(published));
    }

    @Test
    void aVersionAlreadyPublishedIsExitCodeTwoNamingThePath() throws Exception {
        Path model = VersionedModels.write(tmp.resolve("model.safetensors"), "v1", 1);
        Path folder = tmp.resolve("models");
        assertEquals(0, LstmCliTest.run("publish", model.toString(), "--to", folder.toString()).code());

        Run again = LstmCliTest.run("publish", model.toString(), "--to", folder.toString());
        assertEquals(2, again.code(), again.out() + again.err());
        Path target = folder.resolve("v1.safetensors").toAbsolutePath();
        assertTrue(again.err().startsWith("lstm publish: " + target + ": version v1 is already published"),
                again.err());
        assertFalse(again.err().contains("\tat "), "no stack trace without --verbose: " + again.err());
        assertEquals("", again.out());
    }

    @Test
    void aFileThatIsNotAModelIsExitCodeTwoWithTheReadersMessage() throws Exception {
        Path broken = Files.write(tmp.resolve("broken.safetensors"),
                Arrays.copyOf(VersionedModels.bytes("v1", 1), 200));
        String message = assertThrows(SafetensorsFormatException.class, () -> LstmModelFile.read(broken))
                .getMessage();
        Run r = LstmCliTest.run("publish", broken.toString(), "--to", tmp.resolve("models").toString());
        assertEquals(2, r.code());
        assertEquals("lstm publish: " + message, r.err().strip());
        assertFalse(Files.exists(tmp.resolve("models/v1.safetensors")));
    }

    @Test
    void aMissingModelOrFolderOptionIsExitCodeTwo() {
        Path missing = tmp.resolve("missing.safetensors");
        Run r = LstmCliTest.run("publish", missing.toString(), "--to", tmp.resolve("models").toString());
        assertEquals(2, r.code());
        assertEquals("lstm publish: " + missing + ": no such file", r.err().strip());

        Run noTo = LstmCliTest.run("publish", missing.toString());
        assertEquals(2, noTo.code());
        assertTrue(noTo.err().contains("Missing required option: '--to=FOLDER'"), noTo.err());

        Run none = LstmCliTest.run();
        assertTrue(none.err().contains("missing subcommand: forward, inspect or publish"), none.err());
        assertTrue(LstmCliTest.run("--help").out().contains("publish"));
    }
}
