package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Application-mode files (issue 16) checked as far as a machine without Docker or Kubernetes can:
 * {@code deploy/Dockerfile} builds on the official image of the Flink version the project compiles against and
 * copies files that exist (the job jar under the name the build gives it); {@code deploy/flink-deployment.yaml} parses,
 * is a FlinkDeployment of that Flink version, runs the jar where the image puts it with an entry class that exists and
 * has a {@code main}, gives the JVMs the Vector API module, and its arguments parse as {@code jobs/detect}'s options
 * and name files the image contains. Not checked here: that the image builds and the operator accepts the resource.
 */
class DeploymentFilesTest {

    static final Path DOCKERFILE = Path.of("deploy/Dockerfile");
    static final Path DEPLOYMENT = Path.of("deploy/flink-deployment.yaml");

    /** The Flink version of the build ({@code flink.version} in pom.xml). */
    static String flinkVersion() throws Exception {
        Matcher m = Pattern.compile("<flink\\.version>([^<]+)</flink\\.version>").matcher(Files.readString(
                Path.of("pom.xml")));
        assertTrue(m.find(), "pom.xml has no flink.version");
        return m.group(1);
    }

    /** The Dockerfile's COPY lines: destination in the image → source in the project. */
    static Map<String, String> copies() throws Exception {
        Map<String, String> copies = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("COPY")) {
                copies.put(w[w.length - 1], w[w.length - 2]);
            }
        }
        return copies;
    }

    @Test
    void theDockerfileBuildsOnTheOfficialImageOfOurFlinkAndCopiesFilesThatExist() throws Exception {
        List<String> from = new ArrayList<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (line.startsWith("FROM ")) {
                from.add(line.substring(5).trim());
            }
        }
        assertEquals(List.of("flink:" + flinkVersion() + "-java17"), from);
        Map<String, String> copies = copies();
        assertEquals("target/lstm-flink-job.jar", copies.get("/opt/flink/usrlib/lstm-flink-job.jar"), copies.toString());
        assertTrue(Files.readString(Path.of("pom.xml")).contains(
                "<outputFile>${project.build.directory}/lstm-flink-job.jar</outputFile>"), "the jar the build writes");
        for (String source : copies.values()) {
            if (!source.startsWith("target/")) {
                assertTrue(Files.isRegularFile(Path.of(source)), "COPY " + source + ": no such file in the project");
            }
        }
        assertTrue(Files.readString(DOCKERFILE).contains("--add-modules=jdk.incubator.vector"));
    }

    @Test
    void theFlinkDeploymentRunsTheImagesJarWithArgumentsJobsDetectTakes() throws Exception {
        JsonNode d = new ObjectMapper(new YAMLFactory()).readTree(DEPLOYMENT.toFile());
        assertEquals("flink.apache.org/v1beta1", d.path("apiVersion").asText());
        assertEquals("FlinkDeployment", d.path("kind").asText());
        JsonNode spec = d.path("spec");
        String[] v = flinkVersion().split("\\.");
        assertEquals("v" + v[0] + "_" + v[1], spec.path("flinkVersion").asText());
        assertTrue(spec.path("flinkConfiguration").path("env.java.default-opts.all").asText()
                .contains("--add-modules=jdk.incubator.vector"), spec.path("flinkConfiguration").toString());
        // the metrics reporter's factory is a class of the Flink version we build on (flink-metrics-prometheus)
        String reporter = spec.path("flinkConfiguration").path("metrics.reporter.prom.factory.class").asText();
        assertTrue(MetricReporterFactory.class
                .isAssignableFrom(Class.forName(reporter)), reporter);

        JsonNode job = spec.path("job");
        String jar = job.path("jarURI").asText();
        assertTrue(jar.startsWith("local://") && copies().containsKey(jar.substring("local://".length())),
                jar + " is not a file the image contains: " + copies().keySet());
        Method main = Class.forName(job.path("entryClass").asText()).getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()));

        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        CommandLine.ParseResult parsed = new CommandLine(new DetectCli()).parseArgs(args.toArray(String[]::new));
        for (String option : List.of("--config", "--model")) {
            String file = parsed.matchedOptionValue(option, (Object) null).toString();
            assertTrue(copies().containsKey(file), option + " " + file + " is not a file the image contains");
        }
        assertTrue(parsed.hasMatchedOption("--kafka"), "Kafka mode");
    }
}
