package dev.lstmflink.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints a JMH JSON result ({@code -rf json -rff FILE}) as Markdown tables, one per benchmark found in it:
 * {@link LstmStepBenchmark} (H, kernel, µs per step ± the 99.9 % error JMH reports, GFLOP/s = 8·H·(I+H) / time),
 * {@link BatchStepBenchmark} (H, B, batched and one-by-one µs per pass and GFLOP/s = 8·H·(I+H)·B / time, and the share
 * of the FMA peak) and {@link FmaPeakBenchmark} (GFLOP/s). Modes other than average time are skipped. Used by
 * {@code jobs/bench}; by hand:
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
        double peak = printPeak(results, out);
        boolean batch = printBatch(results, peak, out);
        if (!Double.isNaN(peak) || batch) {
            boolean any = false;
            for (JsonNode r : results) {
                any |= r.path("benchmark").asText().endsWith("LstmStepBenchmark.step");
            }
            if (!any) {
                return;
            }
        }
        printStep(results, out);
    }

    /** The FMA peak in GFLOP/s, or NaN when the result has no {@link FmaPeakBenchmark} row. */
    private static double printPeak(JsonNode results, PrintStream out) {
        double peak = Double.NaN;
        for (JsonNode r : results) {
            boolean fma = r.path("benchmark").asText().endsWith("FmaPeakBenchmark.fma");
            if (fma && "avgt".equals(r.path("mode").asText())) {
                JsonNode metric = r.path("primaryMetric");
                double ns = number(metric.path("score")) * nanosPer(metric.path("scoreUnit").asText());
                peak = FmaPeakBenchmark.flopsPerCall() / ns;
                out.printf(Locale.ROOT, "FMA peak, one core, %s: %.1f GFLOP/s (%.1f ns per %.0f FLOP)%n%n",
                        FmaPeakBenchmark.SPECIES, peak, ns, FmaPeakBenchmark.flopsPerCall());
            }
        }
        return peak;
    }

    /** The {@link BatchStepBenchmark} table, if the result has its rows. */
    private static boolean printBatch(JsonNode results, double peak, PrintStream out) {
        java.util.Map<String, double[]> rows = new java.util.TreeMap<>();
        for (JsonNode r : results) {
            String name = r.path("benchmark").asText();
            if (!name.contains("BatchStepBenchmark.") || !"avgt".equals(r.path("mode").asText())) {
                continue;
            }
            JsonNode params = r.path("params");
            int hidden = params.path("hidden").asInt();
            int batch = params.path("batch").asInt();
            String key = String.format(Locale.ROOT, "%s %05d %05d", params.path("kernel").asText(), hidden, batch);
            JsonNode metric = r.path("primaryMetric");
            double toNanos = nanosPer(metric.path("scoreUnit").asText());
            double[] row = rows.computeIfAbsent(key, k -> new double[] {hidden, batch, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN});
            int col = name.endsWith(".batched") ? 2 : 4;
            row[col] = number(metric.path("score")) * toNanos;
            row[col + 1] = number(metric.path("scoreError")) * toNanos;
        }
        if (rows.isEmpty()) {
            return false;
        }
        out.println("| kernel | H | B | one by one, µs/pass | GFLOP/s | batched, µs/pass | ± (99.9 %) | GFLOP/s "
                + "| % of FMA peak |");
        out.println("|:--|--:|--:|--:|--:|--:|--:|--:|--:|");
        for (java.util.Map.Entry<String, double[]> e : rows.entrySet()) {
            double[] r = e.getValue();
            double flops = BatchStepBenchmark.flopsPerPass(LstmStepBenchmark.INPUT, (int) r[0], (int) r[1]);
            out.printf(Locale.ROOT, "| %s | %d | %d | %.3f | %.1f | %.3f | %.3f | %.1f | %s |%n",
                    e.getKey().substring(0, e.getKey().indexOf(' ')), (int) r[0], (int) r[1], r[4] / 1e3,
                    flops / r[4], r[2] / 1e3, r[3] / 1e3, flops / r[2],
                    Double.isNaN(peak) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * flops / r[2] / peak));
        }
        out.println();
        return true;
    }

    private static void printStep(JsonNode results, PrintStream out) {
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
