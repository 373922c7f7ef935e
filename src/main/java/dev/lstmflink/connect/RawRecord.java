package dev.lstmflink.connect;

import dev.lstmflink.csv.Snippets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record before parsing, with where it came from, so that a dead letter can name its topic, partition and offset
 * (or file and line). A plain byte[] or String stream loses that. Exactly one of {@link #bytes} (Kafka) and
 * {@link #text} (file lines) is set. A Flink POJO.
 */
public class RawRecord {

    public String source;
    public int partition = -1;
    public long offset = -1;
    public byte[] bytes;
    public String text;

    public RawRecord() {}

    /** A Kafka record's value. */
    public static RawRecord kafka(String topic, int partition, long offset, byte[] value) {
        RawRecord r = new RawRecord();
        r.source = topic;
        r.partition = partition;
        r.offset = offset;
        r.bytes = value;
        return r;
    }

    /** One line of a file; {@code lineNumber} from 1. */
    public static RawRecord line(String file, long lineNumber, String text) {
        RawRecord r = new RawRecord();
        r.source = file;
        r.offset = lineNumber;
        r.text = text;
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r && partition == r.partition && offset == r.offset
                && Objects.equals(source, r.source) && Arrays.equals(bytes, r.bytes) && Objects.equals(text, r.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, partition, offset, Arrays.hashCode(bytes), text);
    }

    @Override
    public String toString() {
        return "RawRecord{" + source + "/" + partition + "@" + offset + ", "
                + (text != null ? Snippets.quote(text) : bytes == null ? "null" : bytes.length + " bytes") + "}";
    }
}
