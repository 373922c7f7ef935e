package dev.lstmflink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The cluster's folder {@code DIR}, laid out like a Flink distribution plus what a running cluster keeps:
 * <pre>
 *   conf/config.yaml, conf/log4j.properties   written at each start
 *   lib/                                       the class path: the cluster's jars, linked from target/lib
 *   plugins/                                   Flink's plugins folder: metrics-prometheus/, as in Flink's distribution
 *   log/NAME.log, NAME.out, NAME.cmd           each JVM's log, its stdout/stderr, its command line
 *   log.previous/                              the logs of the cluster started before this one
 *   pids/NAME.pid                              the live JVMs, for {@code jobs/flink-local} in another shell
 *   cluster.properties                         the REST address and the JVMs' working folder
 *   checkpoints/, savepoints/, tmp/, web-upload/
 * </pre>
 */
final class ClusterFolder {

    private static final String STATE_FILE = "cluster.properties";

    /** What a running cluster's {@code cluster.properties} says. */
    record State(String restUrl, Path workingDir) {}

    private final Path dir;

    ClusterFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path dir() {
        return dir;
    }

    Path conf() {
        return dir.resolve("conf");
    }

    Path configFile() {
        return conf().resolve("config.yaml");
    }

    Path lib() {
        return dir.resolve("lib");
    }

    /** Flink's plugins folder: one subfolder per plugin, each loaded by a class loader of its own. */
    Path plugins() {
        return dir.resolve("plugins");
    }

    Path log() {
        return dir.resolve("log");
    }

    private Path pids() {
        return dir.resolve("pids");
    }

    /**
     * Readies the folder for a new cluster: {@code log/} of the one before moves to {@code log.previous/} (so
     * TaskManagers are numbered from 1 again and a log holds one cluster's life), {@code pids/} is emptied, and
     * {@code lib/} gets the jars, as hard links where the file system allows (else copies): the cluster's own
     * {@code lib/}, which a rebuild of {@code target/lib} leaves alone. {@code plugins/} gets the {@code plugins}
     * (subfolder name → jar) the same way.
     */
    void prepare(List<Path> jars, Map<String, Path> plugins) throws IOException {
        if (Files.isDirectory(log())) {
            deleteTree(dir.resolve("log.previous"));
            Files.move(log(), dir.resolve("log.previous"));
        }
        Files.createDirectories(log());
        deleteTree(pids());
        Files.createDirectories(pids());
        deleteTree(lib());
        Files.createDirectories(lib());
        for (Path jar : jars) {
            link(jar, lib().resolve(jar.getFileName()));
        }
        deleteTree(plugins());
        Files.createDirectories(plugins());
        for (Map.Entry<String, Path> p : plugins.entrySet()) {
            Path folder = Files.createDirectories(plugins().resolve(p.getKey()));
            link(p.getValue(), folder.resolve(p.getValue().getFileName()));
        }
    }

    private static void link(Path jar, Path to) throws IOException {
        try {
            Files.createLink(to, jar);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(jar, to);
        }
    }

    /** The files of {@code lib/}, sorted. */
    List<Path> jars() throws IOException {
        try (Stream<Path> jars = Files.list(lib())) {
            return jars.sorted().toList();
        }
    }

    void writeState(State s) throws IOException {
        Properties p = new Properties();
        p.setProperty("rest.url", s.restUrl());
        p.setProperty("working.dir", s.workingDir().toString());
        try (var w = Files.newBufferedWriter(dir.resolve(STATE_FILE), StandardCharsets.UTF_8)) {
            p.store(w, "jobs/flink-local: the cluster last started from this folder");
        }
    }

    Optional<State> readState() throws IOException {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return Optional.of(new State(p.getProperty("rest.url"), Path.of(p.getProperty("working.dir"))));
    }

    void writePid(String name, long pid) throws IOException {
        Files.writeString(pids().resolve(name + ".pid"), pid + "\n", StandardCharsets.UTF_8);
    }

    void deletePid(String name) {
        try {
            Files.deleteIfExists(pids().resolve(name + ".pid"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the pid files ({@code jobmanager}, {@code taskmanager-2}, ...). */
    List<String> pidNames() throws IOException {
        if (!Files.isDirectory(pids())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids())) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".pid"))
                    .map(f -> f.substring(0, f.length() - 4)).sorted().toList();
        }
    }

    /**
     * The process of a pid file if it is alive and is this cluster's JVM (its command line names this cluster's
     * {@code conf} folder), so that a pid the system has since given to another process is never touched.
     */
    Optional<ProcessHandle> livePid(String name) throws IOException {
        Path f = pids().resolve(name + ".pid");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim());
        String conf = conf().toString();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> commandLine(h).contains(conf));
    }

    /**
     * One more than the highest number in the names of {@code log/PREFIXN.cmd}, so a new JVM never reuses the log
     * of one that ran before it in this cluster's life.
     */
    int nextNumber(String prefix) throws IOException {
        int max = 0;
        try (Stream<Path> files = Files.list(log())) {
            for (Path l : files.toList()) {
                String f = l.getFileName().toString();
                if (f.startsWith(prefix) && f.endsWith(".cmd")) {
                    max = Math.max(max, Integer.parseInt(f.substring(prefix.length(), f.length() - 4)));
                }
            }
        }
        return max + 1;
    }

    /** The last lines of {@code log/NAME.out} (a JVM's stdout and stderr), for error messages. */
    String outputTail(String name, int lines) throws IOException {
        Path out = log().resolve(name + ".out");
        if (!Files.exists(out)) {
            return "";
        }
        List<String> all = Files.readAllLines(out, StandardCharsets.UTF_8);
        return String.join("\n  ", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * A process's command line; from {@code /proc/PID/cmdline} on Linux, since {@link ProcessHandle.Info} reads only
     * its first 4,096 bytes and then gives no arguments at all.
     */
    private static List<String> commandLine(ProcessHandle h) {
        Path proc = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return List.of(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).split("\0"));
            }
        } catch (IOException e) {
            return List.of();
        }
        return h.info().arguments().map(List::of).orElse(List.of());
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(p)) {
            files = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path f : files) {
            Files.delete(f);
        }
    }
}
