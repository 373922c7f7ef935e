package dev.lstmflink.flink.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One key's rows as {@link dev.lstmflink.train.data.SeriesSet} orders them: arrival order is file order then line
 * (the in-process loader reads the files in name order, line by line), and the series is that order sorted by time,
 * stably. Counts the rows that went back in time (in arrival order) and the duplicate timestamps, as {@code SeriesSet}
 * does, so the sharded reader reports the same figures.
 *
 * @param values n × k, row-major, time order
 * @param ids    n × m, row-major, time order
 */
record SortedKey(String key, int n, int k, int m, float[] values, int[] ids, int outOfOrder, int duplicates,
                 int[] files) {

    static SortedKey of(String key, List<KeyedRow> rows) {
        List<KeyedRow> arrival = new ArrayList<>(rows);
        arrival.sort(Comparator.<KeyedRow>comparingInt(r -> r.file).thenComparingLong(r -> r.line));
        int n = arrival.size();
        int outOfOrder = 0;
        List<Integer> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i > 0 && arrival.get(i).ts < arrival.get(i - 1).ts) {
                outOfOrder++;
            }
            if (i == 0 || arrival.get(i).file != arrival.get(i - 1).file) {
                files.add(arrival.get(i).file);
            }
        }
        List<KeyedRow> sorted = new ArrayList<>(arrival);
        sorted.sort(Comparator.comparingLong(r -> r.ts));   // List.sort is stable
        int k = n == 0 ? 0 : sorted.get(0).values.length;
        int m = n == 0 ? 0 : sorted.get(0).ids.length;
        float[] values = new float[n * k];
        int[] ids = new int[n * m];
        int duplicates = 0;
        for (int i = 0; i < n; i++) {
            KeyedRow r = sorted.get(i);
            System.arraycopy(r.values, 0, values, i * k, k);
            System.arraycopy(r.ids, 0, ids, i * m, m);
            if (i > 0 && r.ts == sorted.get(i - 1).ts) {
                duplicates++;
            }
        }
        return new SortedKey(key, n, k, m, values, ids, outOfOrder, duplicates,
                files.stream().mapToInt(Integer::intValue).toArray());
    }
}
