package dev.lstmflink.cli;

import dev.lstmflink.jobs.models.ModelPublisher;
import dev.lstmflink.jobs.models.ModelUpdates;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code lstm publish}: puts a model file into the folder a detection job watches for model updates
 * ({@link ModelUpdates}), under its version's name, atomically ({@link ModelPublisher}).
 */
@Command(name = "publish", mixinStandardHelpOptions = true, versionProvider = LstmCli.Version.class,
        description = {"Publishes a model file to the folder a running detection job watches: copies it to "
                + "FOLDER/<model_version>.safetensors (the version from the file's metadata, else its hash; "
                + "characters other than A-Z a-z 0-9 . _ - become _) through a hidden temp file and a rename, so the "
                + "job never reads a half-written file. MODEL and FOLDER are local paths or URIs (file://, s3://, "
                + "hdfs:// with Flink's file-system plugins). A version already published is refused: the job "
                + "reads each file name once. Exit code 2 when the file holds no usable model or the version exists."})
final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    LstmCli parent;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (a local path or a URI)")
    String model;

    @Option(names = "--to", required = true, paramLabel = "FOLDER",
            description = "the watched folder (a local path or a URI); created when missing")
    String folder;

    @Override
    public Integer call() {
        return CliRunner.run(spec, parent != null && parent.verbose, this::run);
    }

    private void run() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(line(ModelPublisher.publish(model, folder)));
        out.flush();
    }

    /** {@code published <version> to <path> (<n> bytes)}. */
    static String line(ModelPublisher.Published p) {
        return "published " + p.version() + " to " + p.location() + " (" + p.bytes() + " bytes)";
    }
}
