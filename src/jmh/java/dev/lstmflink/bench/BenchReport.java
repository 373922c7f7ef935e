package dev.lstmflink.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints a JMH JSON result of {@link LstmStepBenchmark} ({@code -rf json -rff FILE}) as Markdown rows: H, kernel,
 * µs per step ± the 99.9 % error JMH reports, and GFLOP/s = 8·H·(I+H) / time. Rows of other benchmarks or modes than
 * average time are skipped. Used by {@code jobs/bench}; by hand:
 * <pre>
 *   java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) dev.lstmflink.bench.BenchReport target/jmh-step.json
 * </pre>
 */
public final class BenchReport {

    private BenchReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchReport JMH_RESULT.json");
            System.exit(2);
        }
        print(new ObjectMapper().readTree(Path.of(args[0]).toFile()), System.out);
    }

    static void print(JsonNode results, PrintStream out) {
        out.println("| H | kernel | µs/step | ± (99.9 %) | GFLOP/s |");
        out.println("|--:|:-------|--------:|-----------:|--------:|");
        int rows = 0;
        for (JsonNode r : results) {
            boolean step = r.path("benchmark").asText().endsWith("LstmStepBenchmark.step");
            if (!step || !"avgt".equals(r.path("mode").asText())) {
                continue;
            }
            JsonNode params = r.path("params");
            int hidden = params.path("hidden").asInt();
            int input = params.has("input") ? params.path("input").asInt() : LstmStepBenchmark.INPUT;
            String kernel = params.path("kernel").asText();
            JsonNode metric = r.path("primaryMetric");
            double toNanos = nanosPer(metric.path("scoreUnit").asText());
            double ns = number(metric.path("score")) * toNanos;
            double errNs = number(metric.path("scoreError")) * toNanos;
            double gflops = LstmStepBenchmark.flopsPerStep(input, hidden) / ns; // FLOP per ns = GFLOP/s
            out.printf(Locale.ROOT, "| %d | %s | %.4f | %s | %.2f |%n", hidden, kernel, ns / 1e3,
                    Double.isFinite(errNs) ? String.format(Locale.ROOT, "%.4f", errNs / 1e3) : "n/a", gflops);
            rows++;
        }
        if (rows == 0) {
            out.println("| (no avgt results of LstmStepBenchmark.step) | | | | |");
        }
    }

    /** JMH writes NaN (e.g. the error of a single iteration) as the string "NaN". */
    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(n.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static double nanosPer(String scoreUnit) {
        String unit = scoreUnit.substring(0, scoreUnit.indexOf('/') < 0 ? scoreUnit.length() : scoreUnit.indexOf('/'));
        return switch (unit) {
            case "ns" -> 1.0;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "min" -> 60e9;
            case "hr" -> 3600e9;
            default -> throw new IllegalArgumentException("not a time per operation: " + scoreUnit);
        };
    }
}
