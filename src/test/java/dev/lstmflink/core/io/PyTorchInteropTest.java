package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file we write loads in PyTorch with {@code load_state_dict(strict=True)} into an {@code nn.Module} with
 * children {@code lstm} and {@code head}, and PyTorch's forward gives our outputs. Needs Debian's
 * {@code python3-torch} ({@code /usr/bin/python3}); skipped, saying so, on machines without it. (PyTorch-written files
 * loading here is covered by the golden tests on every machine.)
 */
class PyTorchInteropTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F64"})
    void ourFileLoadsInPyTorchAndGivesOurOutputs(String dtype) throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "PyTorch not installed (apt-get install python3-torch)");
        LstmConfig cfg = LstmConfig.of(3, 7).withNumLayers(2).withProjSize(4).withBatchFirst(true);
        Random rnd = new Random(9);
        double[] params = RandomLstm.params(cfg, rnd);
        List<NamedTensor> head = List.of(
                NamedTensor.ofFloats("head.weight", new int[] {1, 4}, new float[] {0.5f, -1f, 0.25f, 2f}),
                NamedTensor.ofFloats("head.bias", new int[] {1}, new float[] {0.1f}));
        Path model = tmp.resolve("model.safetensors");
        LstmSafetensors.toFile(Lstm.f64(cfg, params), "lstm.", DType.valueOf(dtype), head, Map.of()).write(model);

        int t = 9;
        double[] x = RandomLstm.values(t * 3, 1, rnd);
        StringBuilder csv = new StringBuilder();
        for (int s = 0; s < t; s++) {
            csv.append(x[3 * s]).append(',').append(x[3 * s + 1]).append(',').append(x[3 * s + 2]).append('\n');
        }
        Path input = tmp.resolve("x.csv");
        Files.writeString(input, csv);

        double[] ours = Lstm.f64(cfg, LstmSafetensors.read(model).params(dev.lstmflink.core.model.Precision.F64))
                .forward(x, t, 1, null, null, null).output();
        double[] theirs = runTorch(model, input);
        assertEquals(ours.length, theirs.length, "PyTorch output size");
        Close.assertClose("PyTorch forward of our " + dtype + " file", ours, theirs, 1e-5);
    }

    private static boolean torchAvailable() throws InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").start();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static double[] runTorch(Path model, Path input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.toString(), "src/test/python/torch_load.py", model.toString(),
                input.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("torch_load.py failed (exit " + p.exitValue() + "): " + out);
        }
        List<Double> v = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            for (String cell : line.split(",")) {
                v.add(Double.parseDouble(cell));
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
