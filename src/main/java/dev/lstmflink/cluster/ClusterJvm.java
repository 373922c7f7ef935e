package dev.lstmflink.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the cluster's JVMs the way Flink's {@code jobmanager.sh}, {@code taskmanager.sh} and {@code flink-daemon.sh}
 * do: memory flags and dynamic properties computed by {@code BashJavaUtils} from the config, then the entry point with
 * {@code --configDir}, {@code env.java.opts.all}, {@code -Dlog.file}, the cluster's log4j configuration and the jars
 * of {@code DIR/lib}.
 *
 * <p>Each JVM writes its log to {@code DIR/log/NAME.log} (the web UI shows it) and its stdout and stderr to
 * {@code DIR/log/NAME.out}; stdin is {@code /dev/null}, so the JVMs outlive the process that started them.
 */
final class ClusterJvm {

    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    static final String CLIENT_MAIN = "org.apache.flink.client.cli.CliFrontend";
    /** The environment variable naming Flink's plugins folder ({@code ConfigConstants.ENV_FLINK_PLUGINS_DIR}). */
    static final String PLUGINS_DIR_ENV = "FLINK_PLUGINS_DIR";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    /** What {@code BashJavaUtils GET_*_RESOURCE_PARAMS} prints: JVM memory flags, then {@code -D key=value} pairs. */
    record Resources(List<String> jvmFlags, List<String> dynamicProperties) {}

    private final ClusterFolder folder;
    private final ClusterConfig config;
    private final Path workingDir;

    ClusterJvm(ClusterFolder folder, ClusterConfig config, Path workingDir) {
        this.folder = folder;
        this.config = config;
        this.workingDir = workingDir;
    }

    /**
     * Runs {@code BashJavaUtils command} ({@code GET_JM_RESOURCE_PARAMS} or {@code GET_TM_RESOURCE_PARAMS}) on the
     * config: the memory flags for the JVM and the derived memory sizes, which a TaskManager refuses to start without
     * ("'taskmanager.cpu.cores' is not set").
     */
    Resources resources(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", classPathString(), BASH_JAVA_UTILS, command,
                "--configDir", folder.conf().toString()));
        Path out = folder.log().resolve("bash-java-utils-" + command + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(NO_INPUT).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("BashJavaUtils " + command + " did not finish within 60 s (see " + out + ")");
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        List<String> results = lines.stream().filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()).trim()).toList();
        if (p.exitValue() != 0 || results.size() < 2) {
            throw new IOException("BashJavaUtils " + command + " failed (exit " + p.exitValue() + "): "
                    + String.join("\n", lines));
        }
        List<String> last = results.subList(results.size() - 2, results.size());
        return new Resources(split(last.get(0)), split(last.get(1)));
    }

    /**
     * Starts one cluster JVM.
     *
     * @param name      log file names ({@code jobmanager}, {@code taskmanager-3})
     * @param resources from {@link #resources}
     * @param extra     further program arguments (e.g. {@code -D taskmanager.resource-id=tm-3})
     */
    Process start(String name, String mainClass, Resources resources, List<String> extra) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(resources.jvmFlags());
        cmd.addAll(flinkJvmOptions(name));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(folder.conf().toString());
        cmd.addAll(resources.dynamicProperties());
        cmd.addAll(extra);
        Files.writeString(folder.log().resolve(name + ".cmd"), String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // what Flink's scripts export: plugins are found there, not in a plugins/ of the working folder
        pb.environment().put(PLUGINS_DIR_ENV, folder.plugins().toString());
        return pb
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.log().resolve(name + ".out").toFile()))
                .redirectInput(NO_INPUT)
                .start();
    }

    /**
     * Runs {@code flink ARGS} ({@code org.apache.flink.client.cli.CliFrontend}, what Flink's {@code bin/flink} runs)
     * against this cluster's config and waits for it, at most {@code timeout}.
     *
     * @return its exit code and its output (stdout and stderr)
     */
    ClientResult client(String name, List<String> args, Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flinkJvmOptions(name));
        cmd.add(CLIENT_MAIN);
        cmd.addAll(args);
        Path out = folder.log().resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(NO_INPUT);
        pb.environment().put("FLINK_CONF_DIR", folder.conf().toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("flink " + String.join(" ", args) + " did not finish within " + timeout.toSeconds()
                    + " s; see " + out);
        }
        return new ClientResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** {@code env.java.opts.all}, the log file and log4j configuration, and the class path. */
    private List<String> flinkJvmOptions(String name) {
        List<String> opts = new ArrayList<>(config.javaOpts());
        opts.add("-Dlog.file=" + folder.log().resolve(name + ".log"));
        opts.add("-Dlog4j.configurationFile=" + folder.conf().resolve(LocalFlinkCluster.LOG4J_FILE).toUri());
        opts.add("-cp");
        opts.add(classPathString());
        return opts;
    }

    /** What a {@link #client} run ended with. */
    record ClientResult(int exitCode, String output) {}

    /** {@code DIR/lib/*}, as Flink's scripts build it from {@code lib/} (the JVM expands the wildcard). */
    String classPathString() {
        return folder.lib().resolve("*").toString();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> split(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
