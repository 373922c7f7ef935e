package dev.lstmflink.cli;

import dev.lstmflink.train.data.SplitMix64;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code jobs/series-csv}: writes synthetic training data, {@code key,ts,value} files, for measuring
 * {@code jobs/train} on large inputs: K keys, each a sine with its own period plus SplitMix64 noise, one row a minute.
 * The rows are laid out as a data lake partitions by time: file f holds the f-th slice of time of every key, so every
 * key's series spans all files. The same arguments write the same bytes.
 *
 * <pre>
 *   jobs/series-csv --out DIR [--keys 100] [--rows-per-key 100000] [--files 8] [--seed 1]
 * </pre>
 */
public final class SeriesCsv {

    private SeriesCsv() {}

    public static void main(String[] args) throws IOException {
        Path out = null;
        int keys = 100;
        int rowsPerKey = 100_000;
        int files = 8;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--out" -> out = Path.of(v);
                case "--keys" -> keys = Integer.parseInt(v);
                case "--rows-per-key" -> rowsPerKey = Integer.parseInt(v);
                case "--files" -> files = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> {
                    System.err.println("usage: jobs/series-csv --out DIR [--keys 100] [--rows-per-key 100000] "
                            + "[--files 8] [--seed 1]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (out == null || keys < 1 || rowsPerKey < 1 || files < 1) {
            System.err.println("jobs/series-csv: --out is required; --keys, --rows-per-key, --files must be >= 1");
            System.exit(2);
        }
        long rows = write(out, keys, rowsPerKey, files, seed);
        System.out.printf(Locale.ROOT, "%s: %,d rows (%,d keys x %,d) in %d files%n", out, rows, keys, rowsPerKey,
                files);
    }

    /** Writes the files {@code part-000.csv ...} into {@code dir}; returns the number of rows. */
    public static long write(Path dir, int keys, int rowsPerKey, int files, long seed) throws IOException {
        Files.createDirectories(dir);
        long start = 1_700_000_000_000L;
        long rows = 0;
        for (int f = 0; f < files; f++) {
            int from = (int) ((long) f * rowsPerKey / files);
            int to = (int) ((long) (f + 1) * rowsPerKey / files);
            Path file = dir.resolve(String.format(Locale.ROOT, "part-%03d.csv", f));
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("key,ts,value\n");
                for (int k = 0; k < keys; k++) {
                    SplitMix64 noise = new SplitMix64(seed * 1_000_003L + k * 7_919L + f);
                    double period = 20 + (k % 17) * 3;
                    String key = String.format(Locale.ROOT, "s%04d", k);
                    for (int t = from; t < to; t++) {
                        double v = Math.sin(2 * Math.PI * t / period) + 0.1 * (2 * noise.nextDouble() - 1);
                        w.write(key);
                        w.write(',');
                        w.write(Long.toString(start + t * 60_000L));
                        w.write(',');
                        w.write(String.format(Locale.ROOT, "%.5f", v));
                        w.write('\n');
                        rows++;
                    }
                }
            }
        }
        return rows;
    }
}
