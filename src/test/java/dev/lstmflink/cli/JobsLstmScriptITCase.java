package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code jobs/lstm} script over the packaged jar (run by failsafe after {@code package}): the README's first
 * command, as the README writes it, gives PyTorch's outputs; the script works from any directory.
 */
class JobsLstmScriptITCase {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void readmeRunCommandGivesPyTorchsOutput() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("(?m)^mvn -q package -DskipTests && (jobs/lstm forward [^&]*?)\\s*&&").matcher(readme);
        assertTrue(m.find(), "README's run command (mvn -q package -DskipTests && jobs/lstm forward ...) not found");
        List<String> args = new ArrayList<>(List.of(m.group(1).trim().split("\\s+")));
        args.set(0, ROOT.resolve(args.get(0)).toString());
        // write into this test's folder instead of target/, so the check cannot see a stale file
        Path out = tmp.resolve("out.csv");
        Path state = tmp.resolve("state.csv");
        args.set(args.indexOf("--output") + 1, out.toString());
        args.set(args.indexOf("--state-out") + 1, state.toString());
        String log = run(args, ROOT);

        GoldenCase golden = GoldenCase.read(ROOT.resolve("src/test/resources/golden/lstm/i_streaming.json"));
        Close.assertClose("README run command output vs PyTorch (" + log + ")", golden.output.data(), csv(out), 1e-5);
        assertTrue(Files.readString(state).startsWith("tensor,index,values"), Files.readString(state));
    }

    @Test
    void scriptRunsInspectFromAnyDirectory() throws Exception {
        Path model = ROOT.resolve("src/test/resources/golden/lstm/g2_projection_bidir_2layer.safetensors");
        String out = run(List.of(ROOT.resolve("jobs/lstm").toString(), "inspect", model.toString()), tmp);
        assertTrue(out.contains("\"proj_size\":3") && out.contains("weight_hr_l1_reverse"), out);
        assertFalse(out.contains(" INFO "), "log4j2.properties keeps INFO off the console:\n" + out);
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + cmd);
        assertEquals(0, p.exitValue(), cmd + "\n" + out);
        return out;
    }

    private static double[] csv(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank())
                .flatMap(l -> java.util.Arrays.stream(l.split(","))).mapToDouble(Double::parseDouble).toArray();
    }
}
