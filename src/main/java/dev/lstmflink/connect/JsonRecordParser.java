package dev.lstmflink.connect;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lstmflink.csv.Snippets;
import dev.lstmflink.record.SensorEvent;
import java.io.IOException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * JSON records: {@code {"key": "pump-7", "ts": 1404172800000, "values": [0.5, 1.25], "reset": false}}, and for a
 * model with an embedding {@code {"key": "pump-7", "ts": 1404172800000, "values": [0.5, 1.25], "ids": [3, 17]}}.
 *
 * <ul>
 *   <li>{@code key}: a non-empty string of valid Unicode, at most {@link #MAX_KEY_BYTES} bytes (numbers are refused
 *       rather than guessed: {@code 17}, {@code 17.0} and {@code "17"} would otherwise be one series or three);
 *   <li>{@code ts}: integer epoch milliseconds, or a string: ISO-8601 ({@code 2014-07-01T00:00:00Z}, with an offset or
 *       zone; without one it is UTC), NAB's {@code YYYY-MM-DD HH:MM:SS} (UTC) or epoch milliseconds in quotes; in the
 *       years 1 to 9999 ({@link #MIN_TS}, {@link #MAX_TS});
 *   <li>{@code values}: an array of exactly {@code expectedValues} numbers; a bare number when the model takes one
 *       value. {@code NaN} and {@code Infinity} are read (Python's {@code json.dumps} writes them) and then refused
 *       as {@link DeadLetter#NON_FINITE_VALUE}, so they are reported as what they are rather than as bad JSON;
 *   <li>{@code ids}: the categorical ids, when the model has an embedding: an array of exactly
 *       {@code ids_per_step} integers, or a bare integer when the model takes one id; each in
 *       {@code [0, num_embeddings)} (when the parser knows the table's size, see {@link EventShape}). Anything else is
 *       {@link DeadLetter#BAD_ID}, naming the field and the value: the field missing, a string ({@code "3"}), a
 *       fraction or a float ({@code 3.5}, {@code 3.0}, {@code 1e2}: ids are indices, and a float there means the
 *       producer wrote something else than it meant), the wrong count, a negative id, one not below
 *       {@code num_embeddings} or beyond any integer. For a model without an embedding, {@code ids} must be absent,
 *       null or {@code []};
 *   <li>{@code reset}: optional boolean (null = absent = false).
 * </ul>
 * For a model that takes ids only (no numeric values), {@code values} may be absent, null or {@code []}.
 *
 * Strict where ambiguity would corrupt data: one JSON object per record (a leading UTF-8 byte-order mark is ignored),
 * nothing after it, and no top-level field twice. Unknown fields are ignored, so producers can add metadata (units, a
 * device id, a schema version) without stopping the job or losing records; only the five fields above are read. The first problem found is reported,
 * in the order syntax, key, ts, values, ids, reset.
 */
public class JsonRecordParser extends TextRecordParser {

    private static final long serialVersionUID = 1L;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /**
     * For a model without an embedding.
     *
     * @param expectedValues the number of values per event (the model's input size)
     * @param maxBytes       records over this many bytes are dead-lettered as {@link DeadLetter#TOO_LARGE}
     */
    public JsonRecordParser(int expectedValues, int maxBytes) {
        this(EventShape.values(expectedValues), maxBytes);
    }

    /**
     * @param shape    the values and ids per event ({@link EventShape#of} a model)
     * @param maxBytes records over this many bytes are dead-lettered as {@link DeadLetter#TOO_LARGE}
     */
    public JsonRecordParser(EventShape shape, int maxBytes) {
        super(shape, maxBytes);
    }

    @Override
    protected SensorEvent toEvent(String text, String source) throws BadRecord {
        JsonNode key = null;
        JsonNode ts = null;
        JsonNode values = null;
        JsonNode ids = null;
        JsonNode reset = null;
        // RFC 8259 section 8.1 lets a parser ignore a byte-order mark; tools that write one (.NET, PowerShell, Notepad)
        // would otherwise have every record dead-lettered. CsvCells drops it too.
        String json = text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
        try (JsonParser p = MAPPER.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new BadRecord(DeadLetter.NOT_JSON, "expected a JSON object {...}, found " + describe(t, p));
            }
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!seen.add(name)) {
                    throw new BadRecord(DeadLetter.DUPLICATE_FIELD,
                            "field " + Snippets.quote(name) + " appears twice in the object");
                }
                p.nextToken();
                switch (name) {
                    case "key" -> key = p.readValueAsTree();
                    case "ts" -> ts = p.readValueAsTree();
                    case "values" -> values = p.readValueAsTree();
                    case "ids" -> ids = p.readValueAsTree();
                    case "reset" -> reset = p.readValueAsTree();
                    default -> p.skipChildren(); // unknown fields are ignored (documented above)
                }
            }
            // Jackson only ends the loop at the object's end (it throws on anything else). Then: nothing but spaces.
            JsonLocation end = p.currentLocation();
            boolean trailing;
            try {
                trailing = p.nextToken() != null;
            } catch (JacksonException e) {
                trailing = true;
            }
            if (trailing) {
                throw new BadRecord(DeadLetter.NOT_JSON, "unexpected content after the JSON object, from line "
                        + end.getLineNr() + " column " + end.getColumnNr());
            }
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
            throw new BadRecord(DeadLetter.NOT_JSON, "not valid JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BadRecord(DeadLetter.NOT_JSON, "not valid JSON: " + firstLine(e.getMessage()));
        }
        String k = key(key); // validated in the documented order: key, ts, values, ids, reset
        long t = ts(ts);
        float[] v = values(values);
        int[] i = ids(ids);
        return new SensorEvent(k, t, reset(reset), v, i);
    }

    private static String key(JsonNode n) throws BadRecord {
        if (absent(n)) {
            throw new BadRecord(DeadLetter.MISSING_KEY, "field \"key\" is missing");
        }
        if (!n.isTextual()) {
            throw new BadRecord(DeadLetter.BAD_KEY, "field \"key\" must be a string, got " + describe(n));
        }
        if (n.textValue().isBlank()) {
            throw new BadRecord(DeadLetter.MISSING_KEY, "field \"key\" is empty: " + Snippets.quote(n.textValue()));
        }
        return checkKey(n.textValue(), "field \"key\"");
    }

    private static long ts(JsonNode n) throws BadRecord {
        if (absent(n)) {
            throw new BadRecord(DeadLetter.MISSING_TS, "field \"ts\" is missing");
        }
        if (n.isTextual()) {
            return timestamp(n.textValue(), "field \"ts\"");
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return inRange(n.longValue(), "field \"ts\"", Snippets.cut(n.asText(), Snippets.MAX));
        }
        throw new BadRecord(DeadLetter.BAD_TS, "field \"ts\" must be integer epoch milliseconds or an ISO-8601 string,"
                + " got " + describe(n));
    }

    private float[] values(JsonNode n) throws BadRecord {
        if (expectedValues == 0 && (absent(n) || n.isArray() && n.isEmpty())) {
            return new float[0];
        }
        if (absent(n)) {
            throw new BadRecord(DeadLetter.MISSING_VALUES, "field \"values\" is missing");
        }
        if (n.isNumber()) {
            if (expectedValues != 1) {
                throw new BadRecord(DeadLetter.WRONG_VALUE_COUNT, "field \"values\" is the single number "
                        + Snippets.cut(n.asText(), Snippets.MAX) + ", the model expects an array of " + expectedValues + " numbers");
            }
            return new float[] {finiteFloat(n.doubleValue(), "field \"values\"", n.asText())};
        }
        if (!n.isArray()) {
            throw new BadRecord(DeadLetter.BAD_VALUE, "field \"values\" must be an array of numbers, got " + describe(n));
        }
        if (n.size() != expectedValues) {
            throw new BadRecord(DeadLetter.WRONG_VALUE_COUNT, "field \"values\" has " + n.size()
                    + (n.size() == 1 ? " value" : " values") + ", the model expects " + expectedValues);
        }
        float[] out = new float[expectedValues];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = n.get(i);
            String field = "values[" + i + "]";
            if (!v.isNumber()) {
                throw new BadRecord(DeadLetter.BAD_VALUE, field + " must be a number, got " + describe(v));
            }
            out[i] = finiteFloat(v.doubleValue(), field, v.asText());
        }
        return out;
    }

    /** The ids, null for a model without an embedding (see the class comment). */
    private int[] ids(JsonNode n) throws BadRecord {
        if (expectedIds == 0) {
            if (absent(n) || n.isArray() && n.isEmpty()) {
                return null;
            }
            throw new BadRecord(DeadLetter.BAD_ID, "field \"ids\" is " + describe(n) + ", but the model has no "
                    + "embedding and takes no ids");
        }
        String count = expectedIds + " integer id" + (expectedIds == 1 ? "" : "s");
        if (absent(n)) {
            throw new BadRecord(DeadLetter.BAD_ID, "field \"ids\" is missing; the model embeds " + count
                    + " per event");
        }
        if (n.isNumber() || n.isTextual() || n.isBoolean()) {
            if (expectedIds != 1) {
                throw new BadRecord(DeadLetter.BAD_ID, "field \"ids\" is " + describe(n) + ", the model expects an "
                        + "array of " + count);
            }
            return new int[] {id(n, "field \"ids\"")};
        }
        if (!n.isArray()) {
            throw new BadRecord(DeadLetter.BAD_ID, "field \"ids\" must be an array of " + count + ", got "
                    + describe(n));
        }
        if (n.size() != expectedIds) {
            throw new BadRecord(DeadLetter.BAD_ID, "field \"ids\" has " + n.size() + (n.size() == 1 ? " id" : " ids")
                    + ", the model embeds " + expectedIds + " per event (ids_per_step)");
        }
        int[] out = new int[expectedIds];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(n.get(i), "ids[" + i + "]");
        }
        return out;
    }

    /** One id: a JSON integer (not a float, not a string) within the shape's range. */
    private int id(JsonNode v, String field) throws BadRecord {
        if (!v.isNumber()) {
            throw new BadRecord(DeadLetter.BAD_ID, field + " must be an integer id, got " + describe(v));
        }
        if (!v.isIntegralNumber()) {
            throw new BadRecord(DeadLetter.BAD_ID, field + " must be an integer id, got " + describe(v)
                    + " (a float: ids are row indices of the embedding table)");
        }
        if (!v.canConvertToLong()) {
            BigInteger big = v.bigIntegerValue();
            throw idOutOfRange(field, big.toString());
        }
        return id(v.longValue(), field, v.asText());
    }

    private static boolean reset(JsonNode n) throws BadRecord {
        if (absent(n)) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new BadRecord(DeadLetter.BAD_RESET, "field \"reset\" must be true or false, got " + describe(n));
        }
        return n.booleanValue();
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    /** "string \"abc\"", "number 1.5", "an array", ...: what a value is, for details. */
    static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "the string " + Snippets.quote(n.textValue());
        }
        if (n.isNumber()) {
            return "the number " + Snippets.cut(n.asText(), Snippets.MAX);
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? "true" : "false";
        }
        if (n.isArray()) {
            return "an array of " + n.size();
        }
        if (n.isObject()) {
            return "an object";
        }
        return n.getNodeType().toString().toLowerCase();
    }

    private static String describe(JsonToken t, JsonParser p) throws IOException {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + Snippets.quote(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + Snippets.cut(p.getText(), Snippets.MAX);
            case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
            default -> t.toString();
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
