package dev.lstmflink.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code lstm} command line tool ({@code jobs/lstm}): runs and inspects LSTM model files of every format
 * {@code LstmModelFile} reads (safetensors with PyTorch names, Keras, ONNX, Wolfram JSON) without Flink, and
 * publishes one to the folder a detection job watches for model updates.
 *
 * <p>Exit codes: 0 success; 2 bad usage, bad input or an unreadable or malformed model file (the message names the
 * file, and for CSV input the line, column and value); 1 an internal error. Stack traces only with
 * {@code --verbose}.
 */
@Command(name = "lstm", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        subcommands = {ForwardCommand.class, InspectCommand.class, PublishCommand.class},
        description = "LSTM model files (safetensors, Keras, ONNX, Wolfram JSON): run one sequence, inspect a file, or "
                + "publish it to a detection job's model folder.",
        footer = {"", "Examples:",
            "  jobs/lstm inspect model.safetensors",
            "  jobs/lstm forward --model model.safetensors --input seq.csv --output out.csv \\",
            "                    --state-out state.csv --precision f64",
            "  jobs/lstm publish model.safetensors --to s3://bucket/models/"})
public final class LstmCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of errors")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LstmCli()).execute(args));
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: forward, inspect or publish");
    }

    /** The version from the jar's Maven descriptor (absent when run from target/classes). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = "(development build)";
            try (InputStream in = LstmCli.class.getResourceAsStream(
                    "/META-INF/maven/dev.lstmflink/lstm-flink/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    v = p.getProperty("version", v);
                }
            } catch (IOException e) {
                // keep the fallback
            }
            return new String[] {"lstm-flink " + v,
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
