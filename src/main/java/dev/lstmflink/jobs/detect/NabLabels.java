package dev.lstmflink.jobs.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lstmflink.train.data.Timestamps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Numenta Anomaly Benchmark's ground truth, when the replayed folder has it: {@code windows.json},
 * {@code {"relative/path.csv": [["start", "end"], ...]}}, timestamps as in the series ({@code YYYY-MM-DD HH:MM:SS},
 * UTC, optional fraction). Used for the report's shading and the inside/outside score comparison, never for scoring.
 */
final class NabLabels {

    static final String FILE = "windows.json";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private NabLabels() {}

    /** Windows as [start, end] epoch ms by relative file path; empty when {@code dir} has no windows.json. */
    static Map<String, List<long[]>> find(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(f + ": expected an object {\"file.csv\": [[start, end], ...]}");
        }
        Map<String, List<long[]>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<long[]> windows = new ArrayList<>();
            for (JsonNode w : e.getValue()) {
                if (!w.isArray() || w.size() != 2) {
                    throw new IOException(f + ": " + e.getKey() + ": expected [start, end], got " + w);
                }
                try {
                    windows.add(new long[] {Timestamps.parseMillis(w.get(0).asText()),
                            Timestamps.parseMillis(w.get(1).asText())});
                } catch (IllegalArgumentException ex) {
                    throw new IOException(f + ": " + e.getKey() + ": bad timestamp in " + w + ": " + ex.getMessage());
                }
            }
            out.put(e.getKey(), windows);
        }
        return out;
    }
}
