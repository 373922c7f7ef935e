package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The README's example job runs end to end on a local Flink, in processing and event time, heap and RocksDB. */
class StreamingLstmJobITCase {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hashmap, false", "rocksdb, true"})
    void exampleJobProducesOneOutputPerEvent(String backend, boolean eventTime) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            String[] args = {"--model", "examples/pytorch_lstm_i2_h16.safetensors", "--keys", "20",
                    "--events-per-key", "30", "--backend", backend, "--print", "1"};
            if (eventTime) {
                args = java.util.Arrays.copyOf(args, args.length + 1);
                args[args.length - 1] = "--event-time";
            }
            code = new CommandLine(new StreamingLstmJob()).execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("600 outputs for 20 sensors x 30 events; longest sequence 30 steps"), out);
    }
}
