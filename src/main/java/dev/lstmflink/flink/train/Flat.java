package dev.lstmflink.flink.train;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.train.model.HeadSpec;
import java.util.ArrayList;
import java.util.List;

/** Parameter arrays (LSTM, head weight, head bias, embedding) joined into one and split again, to cross Flink as a float[]. */
final class Flat {

    private Flat() {}

    static int[] sizes(LstmConfig cfg, HeadSpec head) {
        return sizes(cfg, head, null);
    }

    /** The sizes of {@link dev.lstmflink.train.model.SequenceModel#parameters()}, embedding last when present. */
    static int[] sizes(LstmConfig cfg, HeadSpec head, EmbeddingConfig embedding) {
        List<Integer> s = new ArrayList<>();
        s.add(new LstmLayout(cfg).size());
        s.add(head.outFeatures() * head.inFeatures());
        if (head.bias()) {
            s.add(head.outFeatures());
        }
        if (embedding != null) {
            s.add(embedding.weightCount());
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    static float[] join(List<float[]> arrays) {
        int n = 0;
        for (float[] a : arrays) {
            n += a.length;
        }
        float[] out = new float[n];
        int off = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, out, off, a.length);
            off += a.length;
        }
        return out;
    }

    static List<float[]> split(float[] flat, int[] sizes) {
        List<float[]> out = new ArrayList<>();
        int off = 0;
        for (int s : sizes) {
            float[] a = new float[s];
            System.arraycopy(flat, off, a, 0, s);
            out.add(a);
            off += s;
        }
        if (off != flat.length) {
            throw new IllegalArgumentException("flat parameters have " + flat.length + " values, expected " + off);
        }
        return out;
    }
}
