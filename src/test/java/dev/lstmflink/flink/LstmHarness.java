package dev.lstmflink.flink;

import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.SensorEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Test fixture: {@link KeyedLstmFunction} in Flink's keyed operator harness, on the heap or RocksDB backend. */
final class LstmHarness {

    enum Backend { HEAP, ROCKSDB }

    static final int MAX_PARALLELISM = 128;

    private LstmHarness() {}

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> create(
            LstmFunctionConfig cfg, byte[] model, Backend backend, int parallelism, int subtask) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new KeyedLstmFunction(cfg, model, "test-model")),
                        LstmStreams::keyOf, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> open(
            LstmFunctionConfig cfg, byte[] model, Backend backend) throws Exception {
        var h = create(cfg, model, backend, 1, 0);
        h.open();
        return h;
    }

    static void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h, List<SensorEvent> events)
            throws Exception {
        for (SensorEvent e : events) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
    }

    static void watermark(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> h, long t)
            throws Exception {
        h.processWatermark(new Watermark(t));
    }

    /** The outputs so far, grouped by key, in emission order. */
    static Map<String, List<LstmOutput>> byKey(List<LstmOutput> outputs) {
        Map<String, List<LstmOutput>> m = new LinkedHashMap<>();
        for (LstmOutput o : outputs) {
            m.computeIfAbsent(o.key, k -> new ArrayList<>()).add(o);
        }
        return m;
    }
}
