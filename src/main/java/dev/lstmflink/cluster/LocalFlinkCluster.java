package dev.lstmflink.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster on 127.0.0.1: one JobManager JVM ({@code StandaloneSessionClusterEntrypoint})
 * and TaskManager JVMs ({@code TaskManagerRunner}), each a separate process started from the jars of
 * {@code target/lib} ({@link ClusterClassPath}), as {@code start-cluster.sh} starts them from a Flink distribution.
 * For tests (start, submit the job jar, {@code kill -9} a TaskManager, start a replacement, stop) and for
 * {@code jobs/flink-local}.
 *
 * <p>Everything lives in the cluster's folder ({@link ClusterFolder}: config, {@code lib/}, one log per JVM, pid
 * files, checkpoints). TaskManager {@code N} (its log is {@code log/taskmanager-N.log}) registers with the resource id
 * {@code tm-N}, the id the REST API reports for it.
 *
 * <p>The JVMs run in {@link Builder#workingDir} (default: the current folder), so relative paths a job's main reads,
 * such as {@code config/detect.yaml}, resolve as they do for {@code jobs/detect}. A cluster started with
 * {@link Builder#stopOnExit} (the default) is killed when this JVM exits, so a test that dies leaves no JVM behind;
 * {@code jobs/flink-local start} turns that off and leaves the cluster running.
 */
public final class LocalFlinkCluster implements AutoCloseable {

    /** The log4j configuration of the cluster's JVMs, in {@code DIR/conf}. */
    public static final String LOG4J_FILE = "log4j.properties";
    static final String LOG4J_RESOURCE = "/dev/lstmflink/cluster/log4j-cluster.properties";
    static final String JOB_MANAGER = "jobmanager";
    static final String TASK_MANAGER = "taskmanager-";
    /** The plugin folder of the Prometheus reporter, the name Flink's documentation uses. */
    static final String PROMETHEUS_PLUGIN = "metrics-prometheus";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** What {@code flink run -d} prints once the job is submitted. */
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    /** A TaskManager this cluster started: its number (logs, pid file), its Flink resource id and its process. */
    public record TaskManager(int number, String resourceId, ProcessHandle process) {}

    private final ClusterFolder folder;
    private final ClusterJvm jvm;
    private final FlinkRest rest;
    private final Map<Integer, ProcessHandle> taskManagers = new ConcurrentSkipListMap<>();
    private final AtomicInteger clients = new AtomicInteger();
    /** The JobManager's Prometheus port (TaskManager N: this + N), or -1 without the reporter. */
    private final int prometheusPort;
    private volatile ProcessHandle jobManager;
    private ClusterJvm.Resources tmResources;
    private Thread exitHook;

    private LocalFlinkCluster(ClusterFolder folder, ClusterJvm jvm, FlinkRest rest, int prometheusPort) {
        this.folder = folder;
        this.jvm = jvm;
        this.rest = rest;
        this.prometheusPort = prometheusPort;
    }

    /** Starts a cluster in {@code dir} with the defaults of {@link Builder} and {@code extraConfig} on top. */
    public static LocalFlinkCluster start(Path dir, int taskManagers, int slots, Map<String, String> extraConfig)
            throws IOException, InterruptedException {
        return builder(dir).taskManagers(taskManagers).slots(slots).config(extraConfig).start();
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Settings of a new cluster; {@link #start} starts it and waits until every TaskManager has registered. */
    public static final class Builder {
        private final Path dir;
        private int taskManagers = 1;
        private int slots = 1;
        private int restPort;
        private Map<String, String> config = Map.of();
        private Path libDir;
        private Path workingDir = Path.of("").toAbsolutePath();
        private boolean stopOnExit = true;
        private int prometheusPort = -1;

        private Builder(Path dir) {
            this.dir = dir;
        }

        public Builder taskManagers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("TaskManagers must be >= 0, got " + n);
            }
            this.taskManagers = n;
            return this;
        }

        public Builder slots(int n) {
            this.slots = n;
            return this;
        }

        /** The REST port (web UI, submission); 0 (the default) picks a free one. */
        public Builder restPort(int port) {
            this.restPort = port;
            return this;
        }

        /** Flink settings on top of {@link ClusterConfig#defaults}. */
        public Builder config(Map<String, String> extra) {
            this.config = Map.copyOf(extra);
            return this;
        }

        /** Where the jars are; default: {@code lib/} beside this class's jar or classes folder ({@code target/lib}). */
        public Builder libDir(Path lib) {
            this.libDir = lib;
            return this;
        }

        public Builder workingDir(Path wd) {
            this.workingDir = wd.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Flink's Prometheus reporter in every JVM of the cluster (the plugin {@code flink-metrics-prometheus} is in
         * {@code plugins/metrics-prometheus/} either way, as in Flink's distribution; this configures it): the
         * JobManager serves its metrics at
         * {@code http://127.0.0.1:PORT/metrics}, TaskManager N at {@code PORT + N}; -1 (the default): no reporter.
         * The reporter's HTTP server has no bind-address setting: it listens on every interface of the host.
         */
        public Builder prometheus(int port) {
            if (port != -1 && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("Prometheus port must be in 1..65535 (or -1: off), got " + port);
            }
            this.prometheusPort = port;
            return this;
        }

        /** Kill the cluster's JVMs when this JVM exits (default true). */
        public Builder stopOnExit(boolean stop) {
            this.stopOnExit = stop;
            return this;
        }

        public LocalFlinkCluster start() throws IOException, InterruptedException {
            return launch(this);
        }
    }

    private static LocalFlinkCluster launch(Builder b) throws IOException, InterruptedException {
        ClusterFolder folder = new ClusterFolder(b.dir);
        if (attachIfRunning(folder).isPresent()) {
            throw new IllegalStateException("a cluster from " + folder.dir() + " is still running; stop it first "
                    + "(jobs/flink-local stop --dir " + b.dir + ")");
        }
        int restPort = b.restPort != 0 ? b.restPort : freePort();
        if (!portFree(restPort)) {
            throw new IllegalStateException("REST port " + restPort + " on " + ClusterConfig.HOST
                    + " is in use (another Flink cluster?); choose another");
        }
        Map<String, String> extra = new LinkedHashMap<>();
        Map<String, Path> plugins = new LinkedHashMap<>();
        Path lib = b.libDir != null ? b.libDir : defaultLibDir();
        if (b.prometheusPort > 0) {
            for (int n = 0; n <= b.taskManagers; n++) {
                if (!portFree(b.prometheusPort + n)) {
                    throw new IllegalStateException("Prometheus port " + (b.prometheusPort + n) + " (for "
                            + (n == 0 ? "the JobManager" : "TaskManager " + n) + ") is in use; choose another base "
                            + "port (the JobManager takes PORT, TaskManager N takes PORT + N)");
                }
            }
            extra.putAll(ClusterConfig.prometheus(b.prometheusPort));
        }
        // as in Flink's distribution and the official image: installed always, active when the config names it
        plugins.put(PROMETHEUS_PLUGIN, ClusterClassPath.plugin(lib, "flink-metrics-prometheus"));
        extra.putAll(b.config);
        ClusterConfig conf = ClusterConfig.defaults(folder.dir(), freePort(), restPort, b.slots, extra);
        folder.prepare(ClusterClassPath.of(lib), plugins);
        conf.write(folder.configFile());
        try (InputStream in = LocalFlinkCluster.class.getResourceAsStream(LOG4J_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + LOG4J_RESOURCE + " is missing from the class path");
            }
            Files.copy(in, folder.conf().resolve(LOG4J_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        ClusterFolder.State state = new ClusterFolder.State("http://" + ClusterConfig.HOST + ":" + restPort,
                b.workingDir);
        folder.writeState(state);
        LocalFlinkCluster c = new LocalFlinkCluster(folder, new ClusterJvm(folder, conf, b.workingDir),
                new FlinkRest(state.restUrl()), conf.prometheusPort());
        if (b.stopOnExit) {
            c.exitHook = new Thread(c::killAll, "flink-local-stop");
            Runtime.getRuntime().addShutdownHook(c.exitHook);
        }
        try {
            // BashJavaUtils for the TaskManagers (a JVM start of its own) while the JobManager comes up
            CompletableFuture<ClusterJvm.Resources> tm = CompletableFuture.supplyAsync(() -> c.resources(
                    "GET_TM_RESOURCE_PARAMS"));
            c.startJobManager();
            c.tmResources = join(tm);
            List<Integer> started = new ArrayList<>();
            for (int i = 0; i < b.taskManagers; i++) {
                started.add(c.launchTaskManager());
            }
            for (int n : started) {
                c.awaitRegistered(n);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.stop();
            throw e;
        }
        return c;
    }

    /**
     * The cluster started from {@code dir} by another process ({@code jobs/flink-local start}), with the JVMs of its
     * pid files that are still alive.
     *
     * @throws IllegalStateException when no JobManager of that cluster is running
     */
    public static LocalFlinkCluster attach(Path dir) throws IOException {
        ClusterFolder folder = new ClusterFolder(dir);
        return attachIfRunning(folder).orElseThrow(() -> new IllegalStateException("no cluster is running from "
                + folder.dir() + " (start one with: jobs/flink-local start --dir " + dir + ")"));
    }

    private static Optional<LocalFlinkCluster> attachIfRunning(ClusterFolder folder) throws IOException {
        Optional<ClusterFolder.State> state = folder.readState();
        Optional<ProcessHandle> jm = folder.livePid(JOB_MANAGER);
        if (state.isEmpty() || jm.isEmpty()) {
            return Optional.empty();
        }
        ClusterConfig conf = ClusterConfig.read(folder.configFile());
        LocalFlinkCluster c = new LocalFlinkCluster(folder, new ClusterJvm(folder, conf, state.get().workingDir()),
                new FlinkRest(state.get().restUrl()), conf.prometheusPort());
        c.jobManager = jm.get();
        for (String name : folder.pidNames()) {
            if (name.startsWith(TASK_MANAGER)) {
                int n = Integer.parseInt(name.substring(TASK_MANAGER.length()));
                folder.livePid(name).ifPresent(h -> c.taskManagers.put(n, h));
            }
        }
        return Optional.of(c);
    }

    // ---------------------------------------------------------------------------------------------------------------

    public Path dir() {
        return folder.dir();
    }

    /** {@code http://127.0.0.1:PORT}: the web UI and the REST API. */
    public String restUrl() {
        return rest.baseUrl();
    }

    public FlinkRest rest() {
        return rest;
    }

    /** A JVM's log ({@code jobmanager}, {@code taskmanager-N}). */
    public Path logFile(String name) {
        return folder.log().resolve(name + ".log");
    }

    /** The jars on the cluster's class path: the files of {@code DIR/lib}, sorted. */
    public List<Path> classPath() throws IOException {
        return folder.jars();
    }

    /**
     * The Prometheus endpoints of the live JVMs, {@code jobmanager} first, then {@code taskmanager-N} by number
     * ({@code http://127.0.0.1:PORT/metrics}); empty when the cluster runs without the reporter.
     */
    public Map<String, String> prometheusEndpoints() {
        Map<String, String> urls = new LinkedHashMap<>();
        if (prometheusPort < 0) {
            return urls;
        }
        if (jobManagerPid() >= 0) {
            urls.put(JOB_MANAGER, prometheusUrl(prometheusPort));
        }
        taskManagers().forEach(tm -> urls.put(TASK_MANAGER + tm.number(), prometheusUrl(prometheusPort
                + tm.number())));
        return urls;
    }

    private static String prometheusUrl(int port) {
        return "http://" + ClusterConfig.HOST + ":" + port + "/metrics";
    }

    /** The live TaskManagers this cluster started, by number. */
    public List<TaskManager> taskManagers() {
        return taskManagers.entrySet().stream().filter(e -> e.getValue().isAlive())
                .map(e -> new TaskManager(e.getKey(), resourceId(e.getKey()), e.getValue())).toList();
    }

    /** The JobManager's pid, or -1 when it is not running. */
    public long jobManagerPid() {
        ProcessHandle jm = jobManager;
        return jm != null && jm.isAlive() ? jm.pid() : -1;
    }

    /** Every live JVM this cluster started (JobManager and TaskManagers). */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        ProcessHandle jm = jobManager;
        if (jm != null && jm.isAlive()) {
            all.add(jm);
        }
        taskManagers.values().stream().filter(ProcessHandle::isAlive).forEach(all::add);
        return all;
    }

    /** Starts one more TaskManager and waits until it has registered; returns its number. */
    public int startTaskManager() throws IOException, InterruptedException {
        int n = launchTaskManager();
        awaitRegistered(n);
        return n;
    }

    /**
     * {@code kill -9} of TaskManager {@code number} (SIGKILL: no shutdown hook runs, its sockets just close), and
     * waits until the process is gone.
     */
    public synchronized void killTaskManager(int number) throws InterruptedException {
        ProcessHandle h = taskManagers.get(number);
        if (h == null || !h.isAlive()) {
            throw new IllegalArgumentException("no running TaskManager " + number + "; running: "
                    + taskManagers().stream().map(TaskManager::number).toList());
        }
        kill(h);
        taskManagers.remove(number);
        folder.deletePid(TASK_MANAGER + number);
    }

    /**
     * Uploads {@code jar} and runs {@code entryClass}'s main with {@code args} inside the JobManager, as
     * {@code POST /jars/upload} and {@code POST /jars/:id/run} (the web UI's submit) do.
     *
     * @return the job id
     */
    public String submit(Path jar, String entryClass, List<String> args) throws IOException {
        return rest.runJar(rest.uploadJar(jar), entryClass, args, null, null);
    }

    /**
     * Runs {@code entryClass}'s main with {@code args} in a client JVM, as {@code flink run -d} does (and
     * {@code docker-compose.yml}'s {@code detect} service): the program builds its job there and submits it through
     * the REST API; the client exits once the job is submitted. Unlike {@link #submit}, a {@code System.exit} at the
     * end of the program's main ends only the client. The client's output is kept in {@code log/client-N.out}.
     *
     * @return the job id
     * @throws IOException when the client fails (the message has its output)
     */
    public String run(Path jar, String entryClass, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("run", "-d"));
        if (entryClass != null) {
            cmd.addAll(List.of("-c", entryClass));
        }
        cmd.add(jar.toAbsolutePath().toString());
        cmd.addAll(args);
        ClusterJvm.ClientResult r = jvm.client("client-" + clients.incrementAndGet(), cmd, READY_TIMEOUT);
        Matcher m = SUBMITTED.matcher(r.output());
        if (r.exitCode() != 0 || !m.find()) {
            throw new IOException("flink run of " + jar + " failed (exit " + r.exitCode() + "):\n" + r.output().strip());
        }
        return m.group(1);
    }

    /** Waits until every subtask of the job is RUNNING; fails when the job ends first or after {@code timeout}. */
    public void awaitAllTasksRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!rest.allTasksRunning(jobId)) {
            String s = rest.jobState(jobId);
            if (s.equals("FAILED") || s.equals("CANCELED") || s.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + s + ": " + rest.exceptions(jobId)
                        .path("exceptionHistory").path("entries").path(0).path("stacktrace").asText(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout.toSeconds()
                        + " s (state " + s + "; logs in " + folder.log() + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Ends every JVM of the cluster (SIGTERM, SIGKILL after 10 s) and waits until they are gone. */
    public synchronized void stop() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(taskManagers.values());
        if (jobManager != null) {
            all.add(jobManager);
        }
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                kill(h);
            }
        }
        taskManagers.keySet().forEach(n -> folder.deletePid(TASK_MANAGER + n));
        taskManagers.clear();
        folder.deletePid(JOB_MANAGER);
        jobManager = null;
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs anyway
            }
            exitHook = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void startJobManager() throws IOException, InterruptedException {
        Process p = jvm.start(JOB_MANAGER, ClusterJvm.JOB_MANAGER_MAIN, resources("GET_JM_RESOURCE_PARAMS"),
                List.of());
        jobManager = p.toHandle();
        folder.writePid(JOB_MANAGER, p.pid());
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!rest.answers()) {
            checkAlive(jobManager, JOB_MANAGER);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the JobManager's REST API at " + restUrl() + " did not answer within "
                        + READY_TIMEOUT.toSeconds() + " s; see " + logFile(JOB_MANAGER));
            }
            Thread.sleep(100);
        }
    }

    private synchronized int launchTaskManager() throws IOException {
        if (jobManagerPid() < 0) {
            throw new IllegalStateException("the JobManager of " + folder.dir() + " is not running");
        }
        if (tmResources == null) {
            tmResources = resources("GET_TM_RESOURCE_PARAMS");
        }
        int n = folder.nextNumber(TASK_MANAGER);
        String name = TASK_MANAGER + n;
        List<String> properties = new ArrayList<>(List.of("-D", "taskmanager.resource-id=" + resourceId(n)));
        if (prometheusPort > 0) {
            if (!portFree(prometheusPort + n)) {
                throw new IllegalStateException("Prometheus port " + (prometheusPort + n) + " for TaskManager " + n
                        + " is in use");
            }
            // one port each, known in advance: TaskManagers on one host cannot share the config's port
            properties.addAll(List.of("-D", ClusterConfig.PROMETHEUS_PORT_KEY + "=" + (prometheusPort + n)));
        }
        Process p = jvm.start(name, ClusterJvm.TASK_MANAGER_MAIN, tmResources, properties);
        taskManagers.put(n, p.toHandle());
        folder.writePid(name, p.pid());
        return n;
    }

    private void awaitRegistered(int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        ProcessHandle h = taskManagers.get(n);
        while (!rest.taskManagerIds().contains(resourceId(n))) {
            checkAlive(h, TASK_MANAGER + n);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("TaskManager " + n + " did not register within "
                        + READY_TIMEOUT.toSeconds() + " s; see " + logFile(TASK_MANAGER + n));
            }
            Thread.sleep(100);
        }
    }

    /** {@link ClusterJvm#resources}, unchecked for use in a future. */
    private ClusterJvm.Resources resources(String command) {
        try {
            return jvm.resources(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running BashJavaUtils " + command, e);
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws InterruptedException, IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    static String resourceId(int n) {
        return "tm-" + n;
    }

    private void checkAlive(ProcessHandle h, String name) throws IOException {
        if (!h.isAlive()) {
            String tail = folder.outputTail(name, 15);
            throw new IllegalStateException(name + " exited during start-up; see " + logFile(name) + " and "
                    + folder.log().resolve(name + ".out") + (tail.isEmpty() ? "" : "; last output:\n  " + tail));
        }
    }

    /** The shutdown hook: no lock, so it cannot wait on a thread that holds one while the JVM exits. */
    private void killAll() {
        taskManagers.values().forEach(ProcessHandle::destroyForcibly);
        ProcessHandle jm = jobManager;
        if (jm != null) {
            jm.destroyForcibly();
        }
    }

    private static void kill(ProcessHandle h) throws InterruptedException {
        h.destroyForcibly();
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("process " + h.pid() + " still alive 30 s after SIGKILL", e);
        }
    }

    static Path defaultLibDir() {
        try {
            Path code = Path.of(LocalFlinkCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("lib");
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate target/lib from " + LocalFlinkCluster.class, e);
        }
    }

    /** A port on 127.0.0.1 that nobody listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ClusterConfig.HOST))) {
            return s.getLocalPort();
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(ClusterConfig.HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
