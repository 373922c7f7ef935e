package dev.lstmflink.record;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Detections as JSON, one object per detection, for the output topic (the bytes are the Kafka value) and output files
 * (one object per line):
 * {@code {"key":"pump-7","ts":1404172800000,"values":[0.5],"prediction":[0.47],"residual":0.03,"score":0.41,
 * "threshold":0.12,"anomaly":false,"step":42,"modelVersion":"sha256:..."}}.
 *
 * <p>JSON has no NaN: a NaN {@code residual}, {@code score} or {@code threshold} (a key's first event, the warm-up) is
 * written as {@code null} and read back as NaN, and so is a NaN inside {@code values} or {@code prediction}. A missing
 * prediction is {@code "prediction":null}. Floats are written with {@link Float#toString} and read with
 * {@link Float#parseFloat}, doubles likewise, so a detection reads back bit for bit equal to what was written.
 *
 * <p>Written with Jackson's streaming generator (no reflection, one pass, fixed field order). Reading ignores unknown
 * fields, so files written by a later version still load, accepts {@code NaN} tokens as other writers produce them,
 * and requires only {@code key} and {@code ts}: a missing double is NaN, a missing array null.
 */
public final class DetectionJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private DetectionJson() {}

    /** UTF-8 JSON, without a line break (so a file can hold one per line). */
    public static byte[] toBytes(Detection d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 16 * length(d.values) + 16 * length(d.prediction));
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            write(g, d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write detection " + d, e);
        }
        return out.toByteArray();
    }

    /** As {@link #toBytes}, as a String. */
    public static String toJson(Detection d) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write detection " + d, e);
        }
        return out.toString();
    }

    /** @throws UncheckedIOException when {@code json} is not a detection object (the message names the field) */
    public static Detection fromJson(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("not a detection: " + e.getMessage(), e);
        }
    }

    /** @throws UncheckedIOException when {@code json} is not a detection object (the message names the field) */
    public static Detection fromJson(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("not a detection: " + e.getMessage(), e);
        }
    }

    private static void write(JsonGenerator g, Detection d) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", d.key);
        g.writeNumberField("ts", d.ts);
        writeFloats(g, "values", d.values);
        writeFloats(g, "prediction", d.prediction);
        writeDouble(g, "residual", d.residual);
        writeDouble(g, "score", d.score);
        writeDouble(g, "threshold", d.threshold);
        g.writeBooleanField("anomaly", d.anomaly);
        g.writeNumberField("step", d.step);
        g.writeStringField("modelVersion", d.modelVersion);
        g.writeEndObject();
    }

    private static void writeFloats(JsonGenerator g, String field, float[] a) throws IOException {
        g.writeFieldName(field);
        if (a == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray(a, a.length);
        for (float f : a) {
            if (Float.isFinite(f)) {
                g.writeNumber(f);
            } else {
                g.writeNull();
            }
        }
        g.writeEndArray();
    }

    private static void writeDouble(JsonGenerator g, String field, double v) throws IOException {
        g.writeFieldName(field);
        if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }

    private static Detection read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("expected a JSON object {...}, found " + p.currentToken());
        }
        Detection d = new Detection();
        d.residual = Double.NaN;
        d.score = Double.NaN;
        d.threshold = Double.NaN;
        boolean hasKey = false;
        boolean hasTs = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "key" -> {
                    d.key = t == JsonToken.VALUE_NULL ? null : text(p, name);
                    hasKey = d.key != null;
                }
                case "ts" -> {
                    d.ts = integer(p, name);
                    hasTs = true;
                }
                case "values" -> d.values = floats(p, name);
                case "prediction" -> d.prediction = floats(p, name);
                case "residual" -> d.residual = number(p, name);
                case "score" -> d.score = number(p, name);
                case "threshold" -> d.threshold = number(p, name);
                case "anomaly" -> d.anomaly = bool(p, name);
                case "step" -> d.step = integer(p, name);
                case "modelVersion" -> d.modelVersion = t == JsonToken.VALUE_NULL ? null : text(p, name);
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("the object is not closed");
        }
        if (!hasKey) {
            throw new IOException("field \"key\" is missing");
        }
        if (!hasTs) {
            throw new IOException("field \"ts\" is missing");
        }
        return d;
    }

    private static String text(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new IOException("field \"" + field + "\" must be a string, found " + p.currentToken());
        }
        return p.getText();
    }

    private static long integer(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new IOException("field \"" + field + "\" must be an integer, found " + p.currentToken());
        }
        return p.getLongValue();
    }

    private static boolean bool(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new IOException("field \"" + field + "\" must be true or false, found " + t);
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** A double; null (how NaN is written) is NaN. */
    private static double number(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (!t.isNumeric()) {
            throw new IOException("field \"" + field + "\" must be a number or null, found " + t);
        }
        return p.getDoubleValue();
    }

    /** An array of floats (each parsed as float, not via double, so it reads back exactly) or null. */
    private static float[] floats(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw new IOException("field \"" + field + "\" must be an array of numbers or null, found " + t);
        }
        float[] buf = new float[4];
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            float f;
            if (t == JsonToken.VALUE_NULL) {
                f = Float.NaN;
            } else if (t != null && t.isNumeric()) {
                f = p.getFloatValue();
            } else {
                throw new IOException(field + "[" + n + "] must be a number or null, found " + t);
            }
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, 2 * n);
            }
            buf[n++] = f;
        }
        return Arrays.copyOf(buf, n);
    }

    private static int length(float[] a) {
        return a == null ? 0 : a.length;
    }
}
