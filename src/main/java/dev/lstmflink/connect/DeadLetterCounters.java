package dev.lstmflink.connect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dead letters counted per reason, with their total: what the run summary prints and what reconciles
 * {@code received = parsed + dead-lettered}. Mergeable, so per-subtask counts add up to the job's (it is the value of
 * {@link DeadLetterAccumulator}). Not thread-safe: one per task.
 */
public final class DeadLetterCounters implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TreeMap<String, Long> byReason = new TreeMap<>();
    private long total;

    /** Counts one dead letter with {@code reason}. */
    public void add(String reason) {
        add(reason, 1);
    }

    /** Counts {@code n} dead letters with {@code reason}. */
    public void add(String reason, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a count cannot go down: " + reason + " " + n);
        }
        if (n == 0) {
            return;
        }
        byReason.merge(String.valueOf(reason), n, Long::sum);
        total += n;
    }

    /** Adds {@code other}'s counts to these; returns this. */
    public DeadLetterCounters merge(DeadLetterCounters other) {
        new TreeMap<>(other.byReason).forEach(this::add); // a copy: merging with itself must not loop on itself
        return this;
    }

    public long count(String reason) {
        return byReason.getOrDefault(reason, 0L);
    }

    public long total() {
        return total;
    }

    /** Counts by reason, reasons in alphabetical order; only reasons seen. */
    public Map<String, Long> byReason() {
        return Collections.unmodifiableMap(new TreeMap<>(byReason));
    }

    public DeadLetterCounters copy() {
        return new DeadLetterCounters().merge(this);
    }

    /** One line for the run summary, largest count first: {@code dead letters: 12 (not_json 9, bad_ts 3)}. */
    public String summary() {
        if (total == 0) {
            return "dead letters: 0";
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>(byReason.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        StringBuilder b = new StringBuilder("dead letters: ").append(total).append(" (");
        for (int i = 0; i < entries.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(entries.get(i).getKey()).append(' ').append(entries.get(i).getValue());
        }
        return b.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetterCounters c && total == c.total && byReason.equals(c.byReason);
    }

    @Override
    public int hashCode() {
        return byReason.hashCode();
    }

    @Override
    public String toString() {
        return summary();
    }
}
