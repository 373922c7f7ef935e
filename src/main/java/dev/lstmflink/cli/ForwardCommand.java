package dev.lstmflink.cli;

import dev.lstmflink.core.io.EmbeddingTensors;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.ModelContents;
import dev.lstmflink.core.io.SafetensorsFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.EmbeddedInput;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Lstm;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.DoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code lstm forward}: runs a model over one sequence read from CSV and writes the outputs (and state) as CSV. */
@Command(name = "forward", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        sortOptions = false,
        description = {
            "Runs the LSTM of a model file (safetensors with PyTorch names in F32, F64, F16 or BF16, or wolfram-lstm "
                    + "JSON; told apart by content, not name) over ONE sequence (batch 1, zero initial state).",
            "",
            "Input: a CSV of T rows (time steps) x input_size columns, comma-separated; a first line whose first "
                    + "field is not a number is a header and skipped. Output: T rows of the last layer's h_t "
                    + "(num_directions x hidden/proj size columns, forward direction first), like "
                    + "nn.LSTM's output[:, 0, :].",
            "",
            "A model with an embedding front end (embedding.weight [N, D], ids_per_step k) takes T rows of m numeric "
                    + "values THEN k integer ids in [0, N) (header e.g. v0,v1,id0; m = input_size - k*D, possibly "
                    + "0); each step's LSTM input is [values ; embedding.weight[id0] ; ...], rows over max_norm "
                    + "rescaled as nn.Embedding does."})
final class ForwardCommand implements Callable<Integer> {

    /** The arithmetic of the run. */
    enum Prec { f32, f64 }

    @Spec
    CommandSpec spec;

    @ParentCommand
    LstmCli parent;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "model file: safetensors (PyTorch state_dict names) or wolfram-lstm JSON")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "CSV",
            description = "the sequence: T rows x input_size (with an embedding: m numeric values, then k ids)")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "CSV", description = "where to write the T output rows")
    Path output;

    @Option(names = "--state-out", paramLabel = "CSV",
            description = "also write h_n and c_n: lines 'tensor,index,values...', one per layer x direction")
    Path stateOut;

    @Option(names = "--precision", defaultValue = "f32", paramLabel = "f32|f64",
            description = "arithmetic: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Prec precision;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "module prefix of the LSTM's tensors (e.g. 'lstm.'), when the file holds several LSTMs")
    String prefix;

    @Override
    public Integer call() {
        return CliRunner.run(spec, parent != null && parent.verbose, this::run);
    }

    private void run() throws Exception {
        if (stateOut != null && stateOut.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new CliException("--output and --state-out are the same file: " + output);
        }
        byte[] bytes = InspectCommand.readModelBytes(model);
        boolean f32 = precision == Prec.f32;
        Lstm<float[]> lstm32 = null;
        Lstm<double[]> lstm64 = null;
        Embedding embedding;
        if (InspectCommand.isSafetensors(bytes) && prefix != null) {
            // --prefix picks one of several LSTMs; F64 weights keep their precision in an f64 run
            SafetensorsFile st = SafetensorsFile.read(bytes, model.toString());
            LstmSafetensors.Loaded loaded = LstmSafetensors.find(st, model.toString(), prefix);
            if (f32) {
                lstm32 = loaded.f32();
            } else {
                lstm64 = loaded.f64();
            }
            embedding = EmbeddingTensors.read(st, model.toString(), loaded.config().inputSize());
        } else if (InspectCommand.isSafetensors(bytes) && !f32) {
            // the loader's errors, with the known formats, and the embedding
            embedding = LstmModelFile.readContents(bytes, model.toString()).embedding();
            lstm64 = LstmSafetensors.find(SafetensorsFile.read(bytes, model.toString()), model.toString(), null).f64();
        } else {
            ModelContents c = LstmModelFile.readContents(bytes, model.toString());
            embedding = c.embedding();
            if (f32) {
                lstm32 = c.lstm();
            } else {
                double[] p = new double[c.params().length];
                for (int i = 0; i < p.length; i++) {
                    p[i] = c.params()[i];   // float32 values, widened exactly
                }
                lstm64 = Lstm.f64(c.config(), p);
            }
        }
        LstmConfig cfg = f32 ? lstm32.config() : lstm64.config();
        int numeric = embedding == null ? cfg.inputSize() : embedding.numericInputs(cfg.inputSize());
        SequenceCsv.Sequence seq = SequenceCsv.read(input, numeric,
                embedding == null ? null : embedding.config(), f32);
        int t = seq.length();
        double[] values = new double[t * numeric];
        for (int i = 0; i < t; i++) {
            System.arraycopy(seq.values()[i], 0, values, i * numeric, numeric);
        }
        int[] ids = embedding == null ? null : flatten(seq.ids());
        Result r;
        if (f32) {
            float[] v = Precision.F32.fromDoubles(values);
            // batch 1: [T,1,·] and [1,T,·] are the same array, so batch-first models take it as is
            r = forward(lstm32, Precision.F32, embedding == null ? v
                    : EmbeddedInput.f32(embedding, v, numeric, ids, t, 1, cfg.batchFirst()), t);
        } else {
            r = forward(lstm64, Precision.F64, embedding == null ? values
                    : EmbeddedInput.f64(embedding, values, numeric, ids, t, 1, cfg.batchFirst()), t);
        }
        DoubleFunction<String> fmt = f32 ? v -> Float.toString((float) v) : Double::toString;

        int width = cfg.numDirections() * cfg.outputSize();
        StringBuilder out = new StringBuilder(t * width * 12);
        for (int i = 0; i < t; i++) {
            SequenceCsv.appendRow(out, "", r.output, i * width, width, fmt);
        }
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(output, out.toString());
        if (stateOut != null) {
            int cells = cfg.numLayers() * cfg.numDirections();
            StringBuilder s = new StringBuilder("tensor,index,values\n");
            for (int k = 0; k < cells; k++) {
                SequenceCsv.appendRow(s, "h_n," + k + ",", r.hN, k * cfg.outputSize(), cfg.outputSize(), fmt);
            }
            for (int k = 0; k < cells; k++) {
                SequenceCsv.appendRow(s, "c_n," + k + ",", r.cN, k * cfg.hiddenSize(), cfg.hiddenSize(), fmt);
            }
            files.put(stateOut, s.toString());
        }
        OutputFiles.writeAll(files);
    }

    /** The results as doubles (exact for float32). */
    private record Result(double[] output, double[] hN, double[] cN) {}

    /** {@code input} is {@code [T, 1, input_size]} (the same array as {@code [1, T, input_size]}). */
    private static <A> Result forward(Lstm<A> lstm, Precision<A> num, A input, int seqLen) {
        ForwardPass<A> pass = lstm.forward(input, seqLen, 1, null, null, null);
        return new Result(num.toDoubles(pass.output()), num.toDoubles(pass.hN()), num.toDoubles(pass.cN()));
    }

    private static int[] flatten(int[][] rows) {
        int k = rows[0].length;
        int[] flat = new int[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * k, k);
        }
        return flat;
    }
}
