package dev.lstmflink.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One scrape of a Prometheus endpoint over HTTP, parsed: the samples of the text exposition format 0.0.4
 * ({@code name{label="value",...} number}, comments and blank lines skipped; label values unescaped), what Flink's
 * Prometheus reporter serves at {@code /metrics}.
 */
record PrometheusScrape(String url, List<Sample> samples) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** GETs {@code url} and parses the answer; fails on anything but 200. */
    static PrometheusScrape of(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + ": HTTP " + r.statusCode());
        }
        return new PrometheusScrape(url, parse(r.body()));
    }

    /** The samples of several scrapes together (the JVMs of one cluster). */
    static List<Sample> all(Collection<PrometheusScrape> scrapes) {
        List<Sample> all = new ArrayList<>();
        scrapes.forEach(s -> all.addAll(s.samples()));
        return all;
    }

    /** The samples called {@code name}. */
    static List<Sample> named(List<Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The sum of the values of the samples called {@code name} whose labels pass {@code labels}. */
    static double sum(List<Sample> samples, String name, Predicate<Map<String, String>> labels) {
        return named(samples, name).stream().filter(s -> labels.test(s.labels())).mapToDouble(Sample::value).sum();
    }

    static List<Sample> parse(String body) {
        List<Sample> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            out.add(parseLine(line));
        }
        return out;
    }

    static Sample parseLine(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label " + key + " without a quoted value: " + line);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        v.append(e == 'n' ? '\n' : e);
                    } else {
                        v.append(c);
                    }
                }
                labels.put(key, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split("\\s+");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(rest[0]);   // NaN too
        };
        return new Sample(name, labels, value);
    }
}
