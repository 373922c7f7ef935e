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
import java.nio.charset.StandardCharsets;
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
 * <p>{@link #toBytes} (the Kafka value) is written by a {@link Writer} straight into a byte buffer it reuses, without
 * a generator, Strings or trees: with Jackson's generator it was a third of the detector thread's time
 * (BENCHMARKS.md, "The Kafka path"). Its bytes are exactly those of Jackson's UTF-8 generator with its defaults, which
 * wrote them before ({@code DetectionJsonTest} compares the two over random detections): numbers as
 * {@link Float#toString}, {@link Double#toString} and {@link Long#toString}; in strings {@code "} and the backslash
 * escaped, the control characters with a short escape (b, t, n, f, r) as that and the others as <code>&#92;u00XX</code>
 * (upper-case hex), every UTF-16 surrogate (a character outside the BMP, or a lone one) as <code>&#92;uXXXX</code>,
 * everything else as UTF-8. {@link #toJson} still uses the generator. Reading ignores unknown fields, so files written
 * by a later version still load, accepts {@code NaN} tokens as other writers produce them, and requires only
 * {@code key} and {@code ts}: a missing double is NaN, a missing array null.
 */
public final class DetectionJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private DetectionJson() {}

    /**
     * UTF-8 JSON, without a line break (so a file can hold one per line). Allocates a {@link Writer} per call: a hot
     * path keeps one.
     */
    public static byte[] toBytes(Detection d) {
        return new Writer().toBytes(d);
    }

    /**
     * What {@link #toBytes} wrote with Jackson's UTF-8 generator before the {@link Writer}: the reference its bytes are
     * tested against.
     */
    static byte[] toBytesWithJackson(Detection d) {
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

    /**
     * Writes detections as {@link DetectionJson} bytes into one growable buffer it reuses: per detection the only
     * allocation is the result's exact-length copy (a Kafka record's value is a whole array). Numbers go through a
     * reused {@link StringBuilder}, whose {@code append(double)} is {@link Double#toString}'s digits without the
     * String; a double equal to the one written before in the same field (the likelihood mode's fixed threshold, a
     * score of 0 during warm-up) and the model version (one per job) reuse their bytes. Not thread-safe: one per
     * thread (a sink subtask).
     */
    public static final class Writer {

        private static final byte[] KEY = ascii("{\"key\":");
        private static final byte[] TS = ascii(",\"ts\":");
        private static final byte[] VALUES = ascii(",\"values\":");
        private static final byte[] PREDICTION = ascii(",\"prediction\":");
        private static final byte[] RESIDUAL = ascii(",\"residual\":");
        private static final byte[] SCORE = ascii(",\"score\":");
        private static final byte[] THRESHOLD = ascii(",\"threshold\":");
        private static final byte[] ANOMALY_TRUE = ascii(",\"anomaly\":true");
        private static final byte[] ANOMALY_FALSE = ascii(",\"anomaly\":false");
        private static final byte[] STEP = ascii(",\"step\":");
        private static final byte[] MODEL_VERSION = ascii(",\"modelVersion\":");
        private static final byte[] NULL = ascii("null");
        private static final byte[] HEX = ascii("0123456789ABCDEF");
        /** Jackson's short escapes for the control characters that have one; 0: none (a six-byte escape). */
        private static final byte[] SHORT_ESCAPE = new byte[32];

        static {
            SHORT_ESCAPE['\b'] = 'b';
            SHORT_ESCAPE['\t'] = 't';
            SHORT_ESCAPE['\n'] = 'n';
            SHORT_ESCAPE['\f'] = 'f';
            SHORT_ESCAPE['\r'] = 'r';
        }

        private byte[] buf = new byte[512];
        private int n;
        private final StringBuilder digits = new StringBuilder(32);
        /** Per double field (residual, score, threshold): the bits and bytes written last (null: none yet). */
        private final long[] lastBits = new long[3];
        private final byte[][] lastBytes = new byte[3][];
        private String lastModelVersion;
        private byte[] lastModelVersionBytes;

        /** The detection's JSON bytes, in a new array of their exact length. */
        public byte[] toBytes(Detection d) {
            write(d);
            return Arrays.copyOf(buf, n);
        }

        /** Writes the detection into the buffer ({@link #buffer()}) and returns its length; valid until the next call. */
        public int write(Detection d) {
            n = 0;
            append(KEY);
            string(d.key);
            append(TS);
            integer(d.ts);
            append(VALUES);
            floats(d.values);
            append(PREDICTION);
            floats(d.prediction);
            append(RESIDUAL);
            cachedDouble(0, d.residual);
            append(SCORE);
            cachedDouble(1, d.score);
            append(THRESHOLD);
            cachedDouble(2, d.threshold);
            append(d.anomaly ? ANOMALY_TRUE : ANOMALY_FALSE);
            append(STEP);
            integer(d.step);
            append(MODEL_VERSION);
            modelVersion(d.modelVersion);
            room(1);
            buf[n++] = '}';
            return n;
        }

        /** The buffer {@link #write} wrote into (its first {@code write(d)} bytes). */
        public byte[] buffer() {
            return buf;
        }

        private void modelVersion(String v) {
            if (v == null) {
                append(NULL);
                return;
            }
            if (!v.equals(lastModelVersion)) {
                int start = n;
                string(v);
                lastModelVersionBytes = Arrays.copyOfRange(buf, start, n);
                lastModelVersion = v;
                return;
            }
            append(lastModelVersionBytes);
        }

        private void floats(float[] a) {
            if (a == null) {
                append(NULL);
                return;
            }
            room(1);
            buf[n++] = '[';
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    room(1);
                    buf[n++] = ',';
                }
                float f = a[i];
                if (Float.isFinite(f)) {
                    digits.setLength(0);
                    digits.append(f);   // Float.toString's digits (AbstractStringBuilder.append(float))
                    latin1(digits);
                } else {
                    append(NULL);
                }
            }
            room(1);
            buf[n++] = ']';
        }

        private void cachedDouble(int field, double v) {
            long bits = Double.doubleToRawLongBits(v);
            if (bits == lastBits[field] && lastBytes[field] != null) {
                append(lastBytes[field]);
                return;
            }
            int start = n;
            if (Double.isFinite(v)) {
                digits.setLength(0);
                digits.append(v);       // Double.toString's digits
                latin1(digits);
            } else {
                append(NULL);
            }
            lastBits[field] = bits;
            lastBytes[field] = Arrays.copyOfRange(buf, start, n);
        }

        private void integer(long v) {
            digits.setLength(0);
            digits.append(v);
            latin1(digits);
        }

        /** Characters that are all ASCII (digits, '.', 'E', '-'). */
        private void latin1(CharSequence s) {
            int len = s.length();
            room(len);
            for (int i = 0; i < len; i++) {
                buf[n++] = (byte) s.charAt(i);
            }
        }

        /** A JSON string (or null) as Jackson's UTF-8 generator writes it; see the class comment. */
        private void string(String s) {
            if (s == null) {
                append(NULL);
                return;
            }
            int len = s.length();
            room(2 + 6 * len);   // the worst case: every character a six-byte escape
            byte[] b = buf;
            int p = n;
            b[p++] = '"';
            for (int i = 0; i < len; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c >= 0x20 && c != '"' && c != '\\') {
                        b[p++] = (byte) c;
                    } else {
                        b[p++] = '\\';
                        if (c == '"' || c == '\\') {
                            b[p++] = (byte) c;
                        } else if (SHORT_ESCAPE[c] != 0) {
                            b[p++] = SHORT_ESCAPE[c];
                        } else {
                            p = unicodeEscape(b, p, c);
                        }
                    }
                } else if (c < 0x800) {
                    b[p++] = (byte) (0xC0 | (c >> 6));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    b[p++] = '\\';
                    p = unicodeEscape(b, p, c);
                } else {
                    b[p++] = (byte) (0xE0 | (c >> 12));
                    b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            b[p++] = '"';
            n = p;
        }

        /** {@code uXXXX} after the backslash, upper-case hex. */
        private static int unicodeEscape(byte[] b, int p, char c) {
            b[p++] = 'u';
            b[p++] = HEX[(c >> 12) & 0xF];
            b[p++] = HEX[(c >> 8) & 0xF];
            b[p++] = HEX[(c >> 4) & 0xF];
            b[p++] = HEX[c & 0xF];
            return p;
        }

        private void append(byte[] a) {
            room(a.length);
            System.arraycopy(a, 0, buf, n, a.length);
            n += a.length;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(2 * buf.length, n + more));
            }
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
