package dev.lstmflink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The class path of the cluster's JVMs, chosen from {@code target/lib} (the pom's copy-dependencies output) so that it
 * holds what the official Flink image's {@code lib/} holds and nothing more: Flink's modules with their third-party
 * dependencies (which the image has inside {@code flink-dist}), {@code flink-runtime-web}, and the log4j jars.
 *
 * <p>Left out, so that {@code target/lstm-flink-job.jar} runs here exactly as on a real cluster and a class the job
 * jar forgot to bundle fails here too:
 * <ul>
 *   <li>{@link #JOB_JAR}: what the job jar bundles (pom.xml, maven-shade-plugin's include list), which a cluster does
 *       not have;</li>
 *   <li>{@link #BROKER}: {@code kafka_2.13}, the broker of {@code jobs/kafka-local}, and what only it brings (Scala,
 *       Kafka's server modules and their libraries);</li>
 *   <li>our own classes ({@code target/lstm-flink.jar} is not in {@code target/lib});</li>
 *   <li>{@link #PLUGINS}: what the image has in {@code plugins/} ({@code flink-metrics-prometheus}, in
 *       {@code plugins/metrics-prometheus/}, as Flink's distribution puts it); the cluster's folder gets it there.</li>
 * </ul>
 * A jar is matched by its artifact id, the file name up to the version. A new dependency lands on the cluster's side
 * unless one of the lists names it: when the shade plugin's include list or the broker's dependencies change, change
 * these lists with them ({@code FlinkLocalClusterITCase} checks the class path the cluster got).
 */
public final class ClusterClassPath {

    /** Bundled by the job jar (artifact ids; a trailing {@code -} matches a prefix). */
    static final List<String> JOB_JAR = List.of("flink-connector-kafka", "kafka-clients", "zstd-jni", "jackson-",
            "snakeyaml", "picocli", "progressbar", "jline-");

    /** The Kafka broker of jobs/kafka-local and what only it depends on (artifact ids; a trailing {@code -}: prefix). */
    static final List<String> BROKER = List.of("kafka_2.13", "kafka-", "scala-", "pcollections", "HdrHistogram",
            "hash4j", "caffeine", "jspecify", "argparse4j", "commons-validator", "commons-beanutils",
            "commons-digester", "commons-logging", "jopt-simple", "jose4j", "metrics-core", "re2j");

    /**
     * Flink modules that the official image has as plugins, each in a {@code plugins/} subfolder with a class loader of
     * its own (Flink's {@code flink-dist/src/main/assemblies/plugins.xml}): off the class path, found by
     * {@link #plugin}. A metrics reporter plugin does nothing until the configuration names its factory.
     */
    static final List<String> PLUGINS = List.of("flink-metrics-prometheus");

    /** Without these the cluster cannot start or take a jar: checked so a broken {@code target/lib} fails early. */
    static final Set<String> REQUIRED = Set.of("flink-runtime", "flink-clients", "flink-streaming-java",
            "flink-runtime-web", "log4j-core", "log4j-slf4j-impl");

    private ClusterClassPath() {}

    /**
     * The cluster's jars in {@code lib}, sorted by name.
     *
     * @throws IllegalStateException when {@code lib} is missing or lacks one of {@link #REQUIRED} (build first)
     */
    public static List<Path> of(Path lib) {
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + ": no such folder; build first: mvn -q package -DskipTests");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .filter(f -> onCluster(artifactId(f.getFileName().toString())))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + lib, e);
        }
        for (String required : REQUIRED) {
            if (jars.stream().noneMatch(j -> artifactId(j.getFileName().toString()).equals(required))) {
                throw new IllegalStateException(lib + " has no " + required + " jar; build first: "
                        + "mvn -q package -DskipTests");
            }
        }
        return jars;
    }

    /** True when the artifact belongs on the cluster's class path. */
    static boolean onCluster(String artifactId) {
        return !matches(JOB_JAR, artifactId) && !matches(BROKER, artifactId) && !PLUGINS.contains(artifactId);
    }

    /**
     * The jar of one of {@link #PLUGINS} in {@code lib} ({@code flink-metrics-prometheus}), to be put in the cluster's
     * {@code plugins/} folder.
     *
     * @throws IllegalStateException when {@code lib} has none (build first)
     */
    public static Path plugin(Path lib, String artifactId) {
        if (!PLUGINS.contains(artifactId)) {
            throw new IllegalArgumentException(artifactId + " is not one of the plugins " + PLUGINS);
        }
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")
                            && artifactId(f.getFileName().toString()).equals(artifactId))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(lib + " has no " + artifactId + " jar; build first: "
                            + "mvn -q package -DskipTests"));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + lib, e);
        }
    }

    /**
     * The artifact id of a jar named {@code artifactId-version.jar}: everything before the first {@code -} that is
     * followed by a digit ({@code flink-shaded-netty-4.1.100.Final-20.0.jar} → {@code flink-shaded-netty}).
     */
    static String artifactId(String jarName) {
        String name = jarName.endsWith(".jar") ? jarName.substring(0, jarName.length() - 4) : jarName;
        for (int i = 0; i + 1 < name.length(); i++) {
            if (name.charAt(i) == '-' && Character.isDigit(name.charAt(i + 1))) {
                return name.substring(0, i);
            }
        }
        return name;
    }

    private static boolean matches(List<String> patterns, String artifactId) {
        for (String p : patterns) {
            if (p.endsWith("-") ? artifactId.startsWith(p) : artifactId.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
