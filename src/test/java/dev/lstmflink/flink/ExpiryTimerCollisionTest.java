package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.flink.LstmHarness.Backend;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Flink keeps one event-time timer per key and time: moving a key's expiry timer must not delete the timer its buffered
 * events wait on (events at whole seconds, a 30 s timeout: before the fix 29 of 60 were never stepped).
 */
class ExpiryTimerCollisionTest {
    @Test
    void wholeSecondTimestampsAllStepped() throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN).withIdleTimeout(Duration.ofSeconds(30));
        var h = LstmHarness.open(cfg, KeyedLstmFunctionTest.MODEL, Backend.HEAP);
        List<SensorEvent> events = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            events.add(new SensorEvent("w", 1_000L * s, 0.1f * s, -0.1f * s));
        }
        LstmHarness.feed(h, events);
        LstmHarness.watermark(h, 100_000);
        assertEquals(60, h.extractOutputValues().size());
    }
}
