package dev.lstmflink.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code jobs/flink-local}: a standalone Flink session cluster on 127.0.0.1 ({@link LocalFlinkCluster}). {@code start}
 * leaves it running in the background (pids in {@code DIR/pids}); the other subcommands find it through {@code --dir}.
 *
 * <p>Exit codes: 0 success; 2 bad usage or a state that does not allow the command (no cluster running, no such
 * TaskManager, a failed submission), with a message; 1 an internal error.
 */
@Command(name = "flink-local", mixinStandardHelpOptions = true,
        subcommands = {FlinkLocalCli.Start.class, FlinkLocalCli.Submit.class, FlinkLocalCli.Status.class,
                FlinkLocalCli.AddTaskManager.class, FlinkLocalCli.KillTaskManager.class, FlinkLocalCli.Cancel.class,
                FlinkLocalCli.Stop.class},
        description = "A local Flink session cluster (one JobManager JVM, N TaskManager JVMs on 127.0.0.1) from the "
                + "project's jars, without Docker.",
        footer = {"", "Examples:",
            "  jobs/flink-local start --taskmanagers 2",
            "  jobs/flink-local start --prometheus          # metrics at http://127.0.0.1:9249/metrics, 9250, ...",
            "  jobs/flink-local submit --client target/lstm-flink-job.jar \\",
            "      --class dev.lstmflink.cli.DetectJob -- --kafka 127.0.0.1:9092",
            "  jobs/flink-local status",
            "  jobs/flink-local kill-taskmanager 1 && jobs/flink-local add-taskmanager",
            "  jobs/flink-local stop"})
public final class FlinkLocalCli implements Callable<Integer> {

    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", scope = ScopeType.INHERIT, defaultValue = "target/flink-local", paramLabel = "DIR",
            description = "the cluster's folder: conf, logs, pids, checkpoints (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of errors")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FlinkLocalCli()).execute(args));
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: start, submit, status, add-taskmanager, kill-taskmanager, cancel or stop");
    }

    /** Runs a subcommand's body; known failures print their message and give {@value #EXIT_USAGE}. */
    int run(CommandSpec sub, Body body) {
        PrintWriter out = sub.commandLine().getOut();
        PrintWriter err = sub.commandLine().getErr();
        try {
            body.run(out);
            out.flush();
            return 0;
        } catch (IllegalStateException | IllegalArgumentException | IOException e) {
            err.println("flink-local " + sub.name() + ": " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return EXIT_USAGE;
        } catch (Exception e) {
            err.println("flink-local " + sub.name() + ": internal error: " + e
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    interface Body {
        void run(PrintWriter out) throws Exception;
    }

    LocalFlinkCluster attach() throws IOException {
        return LocalFlinkCluster.attach(dir);
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a JobManager and N TaskManagers in the background; prints the web UI's address.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Option(names = "--taskmanagers", defaultValue = "2", paramLabel = "N",
                description = "TaskManager JVMs (default ${DEFAULT-VALUE})")
        int taskManagers;

        @Option(names = "--slots", defaultValue = "1", paramLabel = "S",
                description = "task slots per TaskManager (default ${DEFAULT-VALUE})")
        int slots;

        @Option(names = "--rest-port", defaultValue = "8081", paramLabel = "PORT",
                description = "web UI and REST API port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any free port)")
        int restPort;

        @Option(names = "--prometheus", arity = "0..1", fallbackValue = "9249", paramLabel = "PORT",
                description = "Flink's Prometheus reporter in every JVM: the JobManager's metrics at "
                        + "http://127.0.0.1:PORT/metrics, TaskManager N's at PORT + N (PORT default 9249; the "
                        + "reporter listens on all interfaces)")
        Integer prometheus;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "any Flink setting for config.yaml, e.g. --set state.backend.type=rocksdb (repeatable)")
        List<String> set = new ArrayList<>();

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                Map<String, String> extra = new LinkedHashMap<>();
                for (String kv : set) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
                    }
                    extra.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
                LocalFlinkCluster c = LocalFlinkCluster.builder(cli.dir).taskManagers(taskManagers).slots(slots)
                        .restPort(restPort).config(extra).prometheus(prometheus == null ? -1 : prometheus)
                        .stopOnExit(false).start();
                out.printf("Flink ready at %s: 1 JobManager, %d TaskManager(s) with %d slot(s) each%n",
                        c.restUrl(), taskManagers, slots);
                c.prometheusEndpoints().forEach((jvm, url) -> out.println("metrics of " + jvm + ": " + url));
                out.println("folder " + c.dir() + " (conf/config.yaml, log/, pids/); stop with: jobs/flink-local stop"
                        + (cli.dir.equals(Path.of("target/flink-local")) ? "" : " --dir " + cli.dir));
            });
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Upload a job jar and run it (REST /jars/upload, /jars/:id/run: main() runs in the "
                    + "JobManager), or with --client as flink run -d; prints the job id. Program arguments follow --.")
    static final class Submit implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JAR", description = "the job jar, e.g. target/lstm-flink-job.jar")
        Path jar;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "the program's arguments (after --)")
        List<String> args = new ArrayList<>();

        @Option(names = "--class", paramLabel = "CLASS", description = "the main class (default: the jar manifest's)")
        String entryClass;

        @Option(names = "--parallelism", paramLabel = "P", description = "default parallelism of the job")
        Integer parallelism;

        @Option(names = "--from-savepoint", paramLabel = "PATH",
                description = "start from this savepoint or retained checkpoint")
        String savepoint;

        @Option(names = "--client", description = "run the program's main() in a client JVM, as flink run -d does, "
                + "instead of inside the JobManager; for programs that end with System.exit")
        boolean client;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                LocalFlinkCluster c = cli.attach();
                FlinkRest rest = c.rest();
                String job;
                if (client) {
                    if (parallelism != null || savepoint != null) {
                        throw new IllegalArgumentException("--client takes no --parallelism or --from-savepoint; "
                                + "give them to the program");
                    }
                    job = c.run(jar, entryClass, args);
                } else {
                    job = rest.runJar(rest.uploadJar(jar), entryClass, args, parallelism, savepoint);
                }
                out.println(job);
                spec.commandLine().getErr().println("job " + job + " submitted; watch it at " + c.restUrl()
                        + "/#/job/running/" + job);
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The JobManager, the TaskManagers (number, pid, registered) and the jobs.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                LocalFlinkCluster c = cli.attach();
                FlinkRest rest = c.rest();
                out.println("JobManager  " + c.restUrl() + " (pid " + c.jobManagerPid() + ")");
                c.prometheusEndpoints().forEach((jvm, url) -> out.println("metrics of " + jvm + ": " + url));
                List<String> registered = rest.taskManagerIds();
                for (LocalFlinkCluster.TaskManager tm : c.taskManagers()) {
                    out.printf("TaskManager %d  pid %d  %s%n", tm.number(), tm.process().pid(),
                            registered.contains(tm.resourceId()) ? "registered as " + tm.resourceId()
                                    : "not registered");
                }
                for (JsonNode j : rest.jobs().path("jobs")) {
                    out.printf("job %s  %-10s %s%n", j.path("jid").asText(), j.path("state").asText(),
                            j.path("name").asText());
                }
            });
        }
    }

    @Command(name = "add-taskmanager", mixinStandardHelpOptions = true,
            description = "Start one more TaskManager and wait until it has registered.")
    static final class AddTaskManager implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                int n = cli.attach().startTaskManager();
                out.println("TaskManager " + n + " registered as " + LocalFlinkCluster.resourceId(n));
            });
        }
    }

    @Command(name = "kill-taskmanager", mixinStandardHelpOptions = true,
            description = "kill -9 TaskManager N (as a machine dying); see status for the numbers.")
    static final class KillTaskManager implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "the TaskManager's number")
        int number;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                cli.attach().killTaskManager(number);
                out.println("TaskManager " + number + " killed (SIGKILL)");
            });
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JOB_ID")
        String job;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                FlinkRest rest = cli.attach().rest();
                rest.cancel(job);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!rest.jobState(job).equals("CANCELED") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                out.println("job " + job + " " + rest.jobState(job));
            });
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the JobManager and every TaskManager of the cluster (running jobs end with it).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand
        FlinkLocalCli cli;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return cli.run(spec, out -> {
                LocalFlinkCluster c = cli.attach();
                int n = c.processes().size();
                c.stop();
                out.println("stopped " + n + " JVM(s) of " + c.dir());
            });
        }
    }
}
