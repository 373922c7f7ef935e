package dev.lstmflink.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Good rows collected per key, to be turned into training windows.
 *
 * <p>Rows may arrive in any order and from several files; {@link #series(String)} gives a key's rows sorted by time,
 * stably: rows with the same timestamp are all kept, in the order they were added (file order). Such duplicates and
 * rows that went back in time are counted ({@link #duplicateTimestamps(String)}, {@link #outOfOrderRows(String)}) so
 * they can be reported; NAB's machine_temperature series, for one, repeats an hour.
 *
 * <p>All keys must have the same number of features k: the first row fixes it, and a row with another k is an
 * error naming both keys and files. Keys are listed in sorted order, so the result does not depend on the order in
 * which parallel readers delivered them. Not thread-safe.
 */
public final class SeriesSet {

    private final Map<String, KeyRows> byKey = new TreeMap<>();
    private int featureCount = -1;
    private String featureOrigin;
    private int idCount = -1;
    private long rowCount;

    /**
     * Adds one good row.
     *
     * @param file where the row came from, named in errors
     * @throws DataException when the row's feature count differs from the rows added before
     */
    public void add(String file, SeriesRow row) {
        int k = row.values().length;
        if (featureCount < 0) {
            if (k < 1) {
                throw new DataException(file + ": key '" + row.key() + "' has a row without values");
            }
            featureCount = k;
            featureOrigin = "key '" + row.key() + "' (" + file + ")";
        } else if (k != featureCount) {
            throw new DataException("key '" + row.key() + "' (" + file + ") has " + k + " feature(s) but "
                    + featureOrigin + " has " + featureCount + "; all series must have the same number of features");
        }
        int m = row.ids().length;
        if (idCount < 0) {
            idCount = m;
        } else if (m != idCount) {
            throw new DataException("key '" + row.key() + "' (" + file + ") has " + m + " id(s) but " + featureOrigin
                    + " has " + idCount + "; all series must have the same id columns");
        }
        byKey.computeIfAbsent(row.key(), KeyRows::new).add(file, row.tsMillis(), row.values(), row.ids());
        rowCount++;
    }

    /** Fixes k in advance (e.g. from a header), naming where it came from; errors as in {@link #add}. */
    public void requireFeatureCount(int k, String origin) {
        if (featureCount < 0) {
            featureCount = k;
            featureOrigin = origin;
        } else if (k != featureCount) {
            throw new DataException(origin + " has " + k + " feature(s) but " + featureOrigin + " has "
                    + featureCount + "; all series must have the same number of features");
        }
    }

    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** k, the features per row, or −1 when nothing was added. */
    public int featureCount() {
        return featureCount;
    }

    /** m, the categorical ids per row (0 without id columns or before the first row). */
    public int idCount() {
        return Math.max(idCount, 0);
    }

    /** The keys, sorted. */
    public List<String> keys() {
        return List.copyOf(byKey.keySet());
    }

    /** All rows of all keys. */
    public long rowCount() {
        return rowCount;
    }

    /** The number of rows of a key (0 when unknown). */
    public int length(String key) {
        KeyRows r = byKey.get(key);
        return r == null ? 0 : r.n;
    }

    /** The files a key's rows came from, in the order first seen. */
    public List<String> files(String key) {
        return List.copyOf(rows(key).files);
    }

    /** Rows whose timestamp was earlier than that of the row added just before them (same key). */
    public int outOfOrderRows(String key) {
        return rows(key).outOfOrder;
    }

    /** Rows whose timestamp equals that of the previous row once sorted (same key). */
    public int duplicateTimestamps(String key) {
        return rows(key).sorted().duplicates;
    }

    /** The key's rows sorted by time (stable); cached until the next {@link #add} of that key. */
    public Series series(String key) {
        return rows(key).sorted().series;
    }

    private KeyRows rows(String key) {
        KeyRows r = byKey.get(key);
        if (r == null) {
            throw new IllegalArgumentException("no series with key '" + key + "'; keys: " + byKey.keySet());
        }
        return r;
    }

    /** Growable columns of one key's rows in arrival order. */
    private final class KeyRows {
        final String key;
        final Set<String> files = new LinkedHashSet<>();
        long[] ts = new long[64];
        float[] values;
        int[] ids;
        int n;
        int outOfOrder;
        Sorted sorted;

        KeyRows(String key) {
            this.key = key;
            this.values = new float[64 * featureCount];
            this.ids = new int[64 * idCount()];
        }

        void add(String file, long t, float[] v, int[] id) {
            files.add(file);
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                values = Arrays.copyOf(values, n * 2 * featureCount);
                ids = Arrays.copyOf(ids, n * 2 * idCount());
            }
            System.arraycopy(id, 0, ids, n * idCount(), idCount());
            if (n > 0 && t < ts[n - 1]) {
                outOfOrder++;
            }
            ts[n] = t;
            System.arraycopy(v, 0, values, n * featureCount, featureCount);
            n++;
            sorted = null;
        }

        Sorted sorted() {
            if (sorted == null) {
                sorted = sort();
            }
            return sorted;
        }

        private Sorted sort() {
            int k = featureCount;
            int m = idCount();
            long[] t = Arrays.copyOf(ts, n);
            float[] v = Arrays.copyOf(values, n * k);
            int[] id = Arrays.copyOf(ids, n * m);
            if (outOfOrder > 0) {
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, Comparator.comparingLong(i -> ts[i]));   // stable (merge sort for objects)
                for (int i = 0; i < n; i++) {
                    int src = order[i];
                    t[i] = ts[src];
                    System.arraycopy(values, src * k, v, i * k, k);
                    System.arraycopy(ids, src * m, id, i * m, m);
                }
            }
            int dup = 0;
            for (int i = 1; i < n; i++) {
                if (t[i] == t[i - 1]) {
                    dup++;
                }
            }
            return new Sorted(new Series(key, k, t, v, m, id), dup);
        }
    }

    private record Sorted(Series series, int duplicates) {}

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, KeyRows> e : byKey.entrySet()) {
            parts.add(e.getKey() + ":" + e.getValue().n);
        }
        return "SeriesSet(k=" + featureCount + ", " + parts + ")";
    }
}
