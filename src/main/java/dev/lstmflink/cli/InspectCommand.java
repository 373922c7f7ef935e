package dev.lstmflink.cli;

import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.io.SafetensorsFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code lstm inspect}: what a model file holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        description = {"Prints the LSTM of a safetensors file (config, prefix, parameter count), every tensor with "
                + "its dtype and shape, and the metadata. Exit code 2 when the file holds no usable LSTM."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    LstmCli parent;

    @Parameters(index = "0", paramLabel = "FILE", description = "safetensors file")
    Path file;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "module prefix of the LSTM's tensors (e.g. 'lstm.'), when the file holds several LSTMs")
    String prefix;

    @Override
    public Integer call() {
        return CliRunner.run(spec, parent != null && parent.verbose, this::run);
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SafetensorsFile st = LstmCli.read(file);
        LstmSafetensors.Loaded loaded = null;
        SafetensorsFormatException noLstm = null;
        try {
            loaded = LstmSafetensors.find(st, file.toString(), prefix);
        } catch (SafetensorsFormatException e) {
            noLstm = e;
        }
        out.println("file: " + file);
        Set<String> lstmNames = new HashSet<>();
        long lstmParams = 0;
        if (loaded != null) {
            LstmConfig c = loaded.config();
            LstmLayout layout = new LstmLayout(c);
            for (LstmLayout.TensorSpec t : layout.tensors()) {
                lstmNames.add(loaded.prefix() + t.name());
            }
            lstmParams = layout.size();
            out.println("LSTM config: " + LstmConfigJson.toJson(c));
            out.println("  " + describe(c));
            out.println("prefix: \"" + loaded.prefix() + "\"" + (loaded.prefix().isEmpty()
                    ? " (a bare nn.LSTM)" : " (an nn.LSTM child module named '"
                    + loaded.prefix().substring(0, loaded.prefix().length() - 1) + "')"));
        } else {
            out.println("LSTM: none usable (see the error below)");
        }
        long total = 0;
        int nameWidth = st.names().stream().mapToInt(String::length).max().orElse(4);
        out.println("tensors (" + st.tensors().size() + "):");
        for (NamedTensor t : st.tensors()) {
            total += t.elementCount();
            String role = loaded == null ? "" : lstmNames.contains(t.name()) ? "  lstm" : "  other";
            out.println(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %-4s  %-14s %10d%s",
                    printable(t.name()), t.dtype(), t.shapeString(), t.elementCount(), role));
        }
        out.println("metadata (" + st.metadata().size() + "):");
        for (Map.Entry<String, String> e : st.metadata().entrySet()) {
            out.println("  " + printable(e.getKey()) + " = " + printable(e.getValue()));
        }
        if (loaded != null) {
            out.println("parameters: " + lstmParams + " in the LSTM, " + total + " in the file ("
                    + (total - lstmParams) + " in other tensors)");
        } else {
            out.println("parameters: " + total + " in the file");
        }
        out.flush();
        if (noLstm != null) {
            throw noLstm;
        }
    }

    /** The config in words, e.g. "2-layer bidirectional LSTM with projection: ...". */
    static String describe(LstmConfig c) {
        int d = c.numDirections();
        int ld = c.numLayers() * d;
        StringBuilder s = new StringBuilder();
        s.append(c.numLayers()).append("-layer ").append(c.bidirectional() ? "bidirectional" : "unidirectional")
                .append(" LSTM: input_size ").append(c.inputSize()).append(", hidden_size ").append(c.hiddenSize());
        if (c.projSize() > 0) {
            s.append(", h projected to proj_size ").append(c.projSize());
        }
        s.append(c.bias() ? ", with biases" : ", without biases");
        s.append(c.batchFirst() ? ", batch-first (input [B, T, " : ", sequence-first (input [T, B, ")
                .append(c.inputSize()).append("])");
        if (c.dropout() > 0) {
            s.append(", dropout ").append(c.dropout()).append(" between layers in training");
        }
        s.append("; output per step ").append(d * c.outputSize());
        if (d > 1) {
            s.append(" (2 directions x ").append(c.outputSize()).append(')');
        }
        s.append(", h_n [").append(ld).append(", B, ").append(c.outputSize()).append("], c_n [").append(ld)
                .append(", B, ").append(c.hiddenSize()).append(']');
        return s.toString();
    }

    /** Escapes control characters, so a crafted metadata value cannot drive the terminal. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
