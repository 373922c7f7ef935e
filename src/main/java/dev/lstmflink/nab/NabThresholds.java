package dev.lstmflink.nab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAB's {@code config/thresholds.json}: per detector and profile the threshold NAB published (and the raw score its
 * optimiser reported), {@code {"numenta": {"standard": {"score": 46.63, "threshold": 0.5421876907348634}, ...}}}.
 * NAB's published normalised scores were computed at these thresholds.
 */
public final class NabThresholds {

    private NabThresholds() {}

    /** The thresholds of one detector, by profile name. */
    public static Map<String, Double> read(Path file, String detector) throws IOException {
        JsonNode root = NabCorpus.readJson(file);
        JsonNode d = root.get(detector);
        if (d == null || !d.isObject()) {
            List<String> names = new ArrayList<>();
            root.fieldNames().forEachRemaining(names::add);
            throw new IOException(file + ": no detector '" + detector + "'; it has " + names);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = e.getValue().get("threshold");
            if (t == null || !t.isNumber()) {
                throw new IOException(file + ": " + detector + "." + e.getKey() + ".threshold must be a number, got "
                        + t);
            }
            out.put(e.getKey(), t.doubleValue());
        }
        return out;
    }
}
