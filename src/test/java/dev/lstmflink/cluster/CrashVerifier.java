package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Checks the committed output of the crash test as it arrives ({@link CommittedReader} hands it over), so that a
 * million results need not be kept: each detection against the reference run's, each key's steps in sequence, each
 * dead letter against the malformed record it is for. Problems are collected (the first {@value #SHOWN} in full) and
 * reported by {@link #assertComplete}.
 */
final class CrashVerifier implements Consumer<ConsumerRecord<byte[], byte[]>> {

    static final int SHOWN = 20;

    private final Detection[][] reference;
    private final Map<String, String> malformed;
    private final String inputTopic;
    private final String detectionTopic;
    /** The last step seen per key (0: none yet). */
    private final long[] lastStep;
    private final Set<String> deadLettersSeen = new HashSet<>();
    private final AtomicLong detections = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong anomalies = new AtomicLong();
    private final List<String> problems = new ArrayList<>();
    private long problemCount;

    /**
     * @param reference  detections without failures, by key index and step - 1
     * @param malformed  the dead-letter reason of each malformed input record, by {@code partition@offset}
     */
    CrashVerifier(Detection[][] reference, Map<String, String> malformed, String inputTopic, String detectionTopic) {
        this.reference = reference;
        this.malformed = malformed;
        this.inputTopic = inputTopic;
        this.detectionTopic = detectionTopic;
        this.lastStep = new long[reference.length];
    }

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(detectionTopic)) {
            detection(DetectionJson.fromJson(r.value()), r);
        } else {
            deadLetter(DeadLetterJson.fromJson(r.value()));
        }
    }

    private void detection(Detection d, ConsumerRecord<byte[], byte[]> r) {
        int k = SensorInput.keyIndex(d.key);
        if (!d.key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            problem("record key " + new String(r.key(), StandardCharsets.UTF_8) + " for " + d);
        }
        long expected = lastStep[k] + 1;
        if (d.step != expected) {
            problem(d.key + ": step " + d.step + " after step " + lastStep[k] + (d.step <= lastStep[k]
                    ? " (a result doubled)" : " (results missing)") + " at partition " + r.partition() + " offset "
                    + r.offset());
        }
        lastStep[k] = Math.max(lastStep[k], d.step);
        Detection want = d.step >= 1 && d.step <= reference[k].length ? reference[k][(int) d.step - 1] : null;
        if (!d.equals(want)) {
            problem("differs from the run without failures:\n    got  " + d + "\n    want " + want);
        }
        if (d.anomaly) {
            anomalies.incrementAndGet();
        }
        detections.incrementAndGet();
    }

    private void deadLetter(DeadLetter d) {
        String at = d.partition + "@" + d.offset;
        String reason = malformed.get(at);
        if (!inputTopic.equals(d.source)) {
            problem("dead letter from " + d.source + ": " + d);
        }
        if (!deadLettersSeen.add(at)) {
            problem("a second dead letter for " + at + ": " + d);
        }
        if (reason == null) {
            problem("a dead letter for a valid record " + at + ": " + d);
        } else if (!reason.equals(d.reason)) {
            problem("dead letter " + at + ": reason " + d.reason + ", expected " + reason + ": " + d);
        }
        deadLetters.incrementAndGet();
    }

    private synchronized void problem(String p) {
        problemCount++;
        if (problems.size() < SHOWN) {
            problems.add(p);
        }
    }

    long detections() {
        return detections.get();
    }

    long anomalies() {
        return anomalies.get();
    }

    /** Waits until {@code n} detections have been checked; fails after {@code timeout} (a guard against a hang). */
    void awaitDetections(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (detections.get() < n) {
            assertTrue(System.nanoTime() < deadline, detections.get() + " of " + n + " detections committed within "
                    + timeout.toSeconds() + " s");
            Thread.sleep(20);
        }
    }

    /** Every key complete, every malformed record dead-lettered once, and no problem on the way. */
    synchronized void assertComplete(long valid, long malformedRecords) {
        assertEquals(0, problemCount, problemCount + " problems, the first ones:\n  " + String.join("\n  ", problems));
        for (int k = 0; k < lastStep.length; k++) {
            if (lastStep[k] != reference[k].length) {
                problem(SensorInput.key(k) + ": last step " + lastStep[k] + " of " + reference[k].length);
            }
        }
        assertEquals(0, problemCount, "keys without all their results:\n  " + String.join("\n  ", problems));
        assertEquals(valid, detections.get(), "detections");
        assertEquals(malformedRecords, deadLetters.get(), "dead letters");
        assertEquals(malformed.keySet(), deadLettersSeen, "dead letters by partition@offset");
    }
}
