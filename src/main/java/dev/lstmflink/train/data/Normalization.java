package dev.lstmflink.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Per-feature standardization {@code (x − mean) / std}, saved with a model so that the same scaling is applied when
 * it is used on a stream.
 *
 * <p>Fit it on the training part only ({@link WindowSet} does): statistics that included the validation part would
 * leak it into training. Mean and std are accumulated in double (Welford) and stored as float; std is the population
 * standard deviation (divide by n). A constant feature has std 0, which would divide by zero: its std is set to 1,
 * so it maps to 0 and stays finite.
 *
 * <p>JSON form: {@code {"mean": [...], "std": [...]}}, floats written so that they read back exactly.
 */
public final class Normalization implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final float[] mean;
    private final float[] std;

    /**
     * @param mean k finite means
     * @param std k finite standard deviations &gt; 0
     */
    public Normalization(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std must have the same length >= 1, got "
                    + mean.length + " and " + std.length);
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Float.isFinite(mean[j]) || !Float.isFinite(std[j]) || !(std[j] > 0)) {
                throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + ", std " + std[j]
                        + " (need finite values and std > 0)");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Mean and std over rows {@code [fromRow, toRow)} of a row-major {@code n × k} array. */
    public static Normalization fit(float[] rowMajor, int k, int fromRow, int toRow) {
        return builder(k).add(rowMajor, fromRow, toRow).build();
    }

    /** A builder that accumulates rows of k features, possibly from several series. */
    public static Builder builder(int k) {
        return new Builder(k);
    }

    /** Accumulates mean and variance in double (Welford's update), row by row. */
    public static final class Builder {
        private final int k;
        private final double[] mean;
        private final double[] m2;
        private long n;

        private Builder(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            this.k = k;
            this.mean = new double[k];
            this.m2 = new double[k];
        }

        /** Adds rows {@code [fromRow, toRow)} of a row-major array of k features per row. */
        public Builder add(float[] rowMajor, int fromRow, int toRow) {
            if (fromRow < 0 || toRow < fromRow || (long) toRow * k > rowMajor.length) {
                throw new IllegalArgumentException("rows [" + fromRow + ", " + toRow + ") of " + k
                        + " features do not fit " + rowMajor.length + " values");
            }
            for (int i = fromRow; i < toRow; i++) {
                n++;
                int base = i * k;
                for (int j = 0; j < k; j++) {
                    double x = rowMajor[base + j];
                    double d = x - mean[j];
                    mean[j] += d / n;
                    m2[j] += d * (x - mean[j]);
                }
            }
            return this;
        }

        /** The normalization of the rows added; a feature with std 0 gets std 1. */
        public Normalization build() {
            if (n == 0) {
                throw new IllegalStateException("no rows to compute a normalization from");
            }
            float[] mu = new float[k];
            float[] sd = new float[k];
            for (int j = 0; j < k; j++) {
                mu[j] = (float) mean[j];
                float s = (float) Math.sqrt(m2[j] / n);
                sd[j] = s > 0 && Float.isFinite(s) ? s : 1f;
            }
            return new Normalization(mu, sd);
        }
    }

    public int featureCount() {
        return mean.length;
    }

    /** A copy of the means. */
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the standard deviations. */
    public float[] std() {
        return std.clone();
    }

    /**
     * Normalizes in place: element i is feature {@code i % k}, so {@code values} may be one row or many rows
     * row-major. Computed in double, rounded to float.
     */
    public void apply(float[] values) {
        int k = checkLength(values);
        for (int i = 0; i < values.length; i++) {
            int j = i % k;
            values[i] = (float) (((double) values[i] - mean[j]) / std[j]);
        }
    }

    /** Undoes {@link #apply} in place ({@code x·std + mean}), e.g. to report predictions in the data's units. */
    public void invert(float[] values) {
        int k = checkLength(values);
        for (int i = 0; i < values.length; i++) {
            int j = i % k;
            values[i] = (float) ((double) values[i] * std[j] + mean[j]);
        }
    }

    private int checkLength(float[] values) {
        int k = mean.length;
        if (values.length % k != 0) {
            throw new IllegalArgumentException(values.length + " values are not whole rows of " + k + " features");
        }
        return k;
    }

    /** {@code {"mean": [...], "std": [...]}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode m = root.putArray("mean");
        ArrayNode s = root.putArray("std");
        for (int j = 0; j < mean.length; j++) {
            m.add(mean[j]);
            s.add(std[j]);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the form written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException when the text is not that form or the values are invalid
     */
    public static Normalization fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("normalization: not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("normalization: expected {\"mean\": [...], \"std\": [...]}");
        }
        return new Normalization(floats(root, "mean"), floats(root, "std"));
    }

    private static float[] floats(JsonNode root, String field) {
        JsonNode a = root.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("normalization: \"" + field + "\" must be an array of numbers");
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber()) {
                throw new IllegalArgumentException("normalization: \"" + field + "\"[" + i + "] is not a number: " + v);
            }
            // From the decimal text, rounded once to float, so values written by toJson() read back exactly.
            out[i] = Float.parseFloat(v.decimalValue().toString());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization" + toJson();
    }
}
