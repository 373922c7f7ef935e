package dev.lstmflink.flink.keyed;

/**
 * One key's LSTM memory in Flink state: {@code h} and {@code c} of every layer in one flat {@code float[]} (the layout
 * of {@code LstmStepper}), the number of steps taken, and the event time of the last step. Serialized compactly by
 * {@link KeyStateSerializer}.
 */
public final class KeyState {

    public long step;
    public long lastTs;
    public float[] hc;

    public KeyState(long step, long lastTs, float[] hc) {
        this.step = step;
        this.lastTs = lastTs;
        this.hc = hc;
    }
}
