package dev.lstmflink.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The flat parameter array of an LSTM: one {@link CellLayout} per layer and direction (index {@code l·D + d}, as
 * PyTorch indexes {@code h_n}), one after the other, and the mapping between that array and PyTorch's
 * {@code state_dict} tensors ({@code weight_ih_l0}, ..., suffix {@code _reverse} for direction 1).
 */
public final class LstmLayout {

    /** The kind of a PyTorch tensor, which fixes its shape and its place inside a cell. */
    public enum Kind { WEIGHT_IH, WEIGHT_HH, BIAS_IH, BIAS_HH, WEIGHT_HR }

    /**
     * One PyTorch tensor, e.g. {@code weight_ih_l1_reverse}, shape {@code [4H, I_1]}.
     *
     * @param name  its {@code nn.LSTM.state_dict()} name (without any module prefix)
     * @param shape its PyTorch shape
     */
    public record TensorSpec(String name, int[] shape, Kind kind, CellLayout cell) {

        public int elementCount() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        /** Index in the flat array of the {@code k}-th element of this tensor in PyTorch's row-major order. */
        public int packedIndex(int k) {
            return switch (kind) {
                // weight_ih [4H, I]: element (r, j) -> Wt[j, r]
                case WEIGHT_IH -> cell.weightIndex(k % cell.inputSize(), k / cell.inputSize());
                // weight_hh [4H, Hout]: element (r, j) -> Wt[I + j, r]
                case WEIGHT_HH -> cell.weightIndex(cell.inputSize() + k % cell.outputSize(), k / cell.outputSize());
                case BIAS_IH -> cell.bihOff() + k;
                case BIAS_HH -> cell.bhhOff() + k;
                // weight_hr [P, H]: element (p, j) -> WrT[j, p]
                case WEIGHT_HR -> cell.wrOff() + (k % cell.hiddenSize()) * cell.projSize() + k / cell.hiddenSize();
            };
        }

        public String shapeString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return sb.append(']').toString();
        }
    }

    private final LstmConfig config;
    private final CellLayout[] cells;
    private final List<TensorSpec> tensors;
    private final int size;

    public LstmLayout(LstmConfig config) {
        this.config = config;
        int layers = config.numLayers();
        int dirs = config.numDirections();
        int h = config.hiddenSize();
        int hOut = config.outputSize();
        int p = config.projSize();
        this.cells = new CellLayout[layers * dirs];
        List<TensorSpec> specs = new ArrayList<>();
        int off = 0;
        for (int l = 0; l < layers; l++) {
            int in = config.layerInputSize(l);
            for (int d = 0; d < dirs; d++) {
                int wOff = off;
                off += (in + hOut) * 4 * h;
                int bih = -1;
                int bhh = -1;
                if (config.bias()) {
                    bih = off;
                    bhh = off + 4 * h;
                    off += 8 * h;
                }
                int wr = -1;
                if (p > 0) {
                    wr = off;
                    off += h * p;
                }
                CellLayout cell = new CellLayout(in, h, hOut, p, wOff, bih, bhh, wr);
                cells[l * dirs + d] = cell;
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                specs.add(new TensorSpec("weight_ih" + suffix, new int[] {4 * h, in}, Kind.WEIGHT_IH, cell));
                specs.add(new TensorSpec("weight_hh" + suffix, new int[] {4 * h, hOut}, Kind.WEIGHT_HH, cell));
                if (config.bias()) {
                    specs.add(new TensorSpec("bias_ih" + suffix, new int[] {4 * h}, Kind.BIAS_IH, cell));
                    specs.add(new TensorSpec("bias_hh" + suffix, new int[] {4 * h}, Kind.BIAS_HH, cell));
                }
                if (p > 0) {
                    specs.add(new TensorSpec("weight_hr" + suffix, new int[] {p, h}, Kind.WEIGHT_HR, cell));
                }
            }
        }
        this.tensors = Collections.unmodifiableList(specs);
        this.size = off;
    }

    public LstmConfig config() {
        return config;
    }

    /** Total number of parameters, the length of the flat array. */
    public int size() {
        return size;
    }

    public CellLayout cell(int layer, int direction) {
        return cells[layer * config.numDirections() + direction];
    }

    /** The tensors of {@code nn.LSTM.state_dict()}, in PyTorch's order. */
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** Copies PyTorch's row-major values of one tensor into the flat array. */
    public <A> void pack(TensorSpec spec, double[] rowMajor, Precision<A> precision, A flat) {
        for (int k = 0; k < rowMajor.length; k++) {
            precision.set(flat, spec.packedIndex(k), rowMajor[k]);
        }
    }

    /** The PyTorch row-major values of one tensor, read from the flat array. */
    public <A> double[] unpack(TensorSpec spec, Precision<A> precision, A flat) {
        double[] out = new double[spec.elementCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = precision.get(flat, spec.packedIndex(k));
        }
        return out;
    }
}
