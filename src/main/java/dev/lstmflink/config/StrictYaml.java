package dev.lstmflink.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads a job's YAML settings file into its settings class strictly, so that a typo cannot silently fall back to a
 * default: an unknown key is an error naming it (and the closest known key), a value of the wrong type is an error
 * naming the key, what was expected and the value. Keys left out keep the class's defaults; an empty file is all
 * defaults. Shared by {@code jobs/train} ({@link TrainConfig}) and {@code jobs/detect}.
 *
 * @param <T> the settings class: public fields with defaults, nested classes for sections
 */
public final class StrictYaml<T> {

    static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
            .build();

    private final Class<T> type;
    private final Supplier<T> defaults;
    private final List<String> keys;
    private final Function<String, String> expected;

    /**
     * @param keys     every known key, dotted ({@code section.key}), for the "did you mean" hint
     * @param expected what a key takes, as "expected ..." (for wrong-type errors)
     */
    public StrictYaml(Class<T> type, Supplier<T> defaults, List<String> keys, Function<String, String> expected) {
        this.type = type;
        this.defaults = defaults;
        this.keys = List.copyOf(keys);
        this.expected = expected;
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public T parse(String yaml, String source) throws ConfigException {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return defaults.get();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source + ": expected a mapping of settings (key: value), got "
                    + tree.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        try {
            return YAML.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String key = dotted(e.getPath());
            String hint = closestKey(key);
            throw new ConfigException(source + ": unknown key '" + key + "'" + (hint != null ? " (did you mean '"
                    + hint + "'?)" : ""));
        } catch (JsonMappingException e) {
            String key = dotted(e.getPath());
            JsonNode v = at(tree, e.getPath());
            throw new ConfigException(source + ": key '" + key + "': " + expected.apply(key) + ", got "
                    + (v == null ? "?" : v.isTextual() ? "\"" + v.asText() + "\"" : v.toString()));
        } catch (JacksonException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage());
        }
    }

    /**
     * The known key closest to an unknown one: the same leaf name in another section, else the key with the least
     * edit distance of its leaf name (at most a third of the name's length, at least 2), same section first.
     */
    String closestKey(String unknown) {
        int dot = unknown.lastIndexOf('.');
        String section = dot < 0 ? "" : unknown.substring(0, dot);
        String leaf = normalise(unknown.substring(dot + 1));
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String k : keys) {
            int kd = k.lastIndexOf('.');
            String kSection = kd < 0 ? "" : k.substring(0, kd);
            int d = distance(leaf, normalise(k.substring(kd + 1)));
            int score = 2 * d + (kSection.equals(section) ? 0 : 1);
            if (d <= Math.max(2, leaf.length() / 3) && score < bestScore) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static JsonNode at(JsonNode tree, List<JsonMappingException.Reference> path) {
        JsonNode n = tree;
        for (JsonMappingException.Reference r : path) {
            if (n == null) {
                return null;
            }
            n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
        }
        return n;
    }
}
