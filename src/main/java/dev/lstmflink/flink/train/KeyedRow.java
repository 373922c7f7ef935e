package dev.lstmflink.flink.train;

/**
 * One good row of a training CSV on its way to the subtask that holds its key: the key, the time, where it was read
 * ({@code file}: the file's index in the job's sorted file list, and its line), its k values and m ids. A Flink POJO.
 * File and line break ties between equal timestamps exactly as the in-process loader does (file order, then line).
 */
public class KeyedRow {

    public String key;
    public long ts;
    public int file;
    public long line;
    public float[] values;
    public int[] ids;

    public KeyedRow() {}

    static KeyedRow of(String key, long ts, int file, long line, float[] values, int[] ids) {
        KeyedRow r = new KeyedRow();
        r.key = key;
        r.ts = ts;
        r.file = file;
        r.line = line;
        r.values = values;
        r.ids = ids;
        return r;
    }
}
