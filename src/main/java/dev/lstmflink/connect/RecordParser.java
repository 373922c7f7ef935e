package dev.lstmflink.connect;

import java.io.Serializable;

/**
 * Turns one raw record into a {@link dev.lstmflink.record.SensorEvent} or a {@link DeadLetter}.
 *
 * <p>The contract that keeps the job alive on bad data: {@code parse} never throws and never returns null, whatever
 * the input (null, empty, binary, huge); a record it cannot use comes back as a dead letter carrying the raw record,
 * a reason code from {@link DeadLetter} and the origin given here. Serializable because parsers travel inside Flink
 * functions.
 */
public interface RecordParser extends Serializable {

    /**
     * Parses a record as received from Kafka.
     *
     * @param source    the topic (or any name of where the record came from), null when unknown
     * @param partition the partition, -1 when unknown
     * @param offset    the offset, -1 when unknown
     */
    Parsed parse(byte[] record, String source, int partition, long offset);

    /**
     * Parses a record read as text, typically one line of a file.
     *
     * @param source     the file, null when unknown
     * @param partition  -1 for files
     * @param lineNumber the line number (from 1), -1 when unknown
     */
    Parsed parse(String record, String source, int partition, long lineNumber);

    /** The values and ids an event of this parser carries. */
    EventShape shape();

    /** Parses a record that carries its own origin. */
    default Parsed parse(RawRecord record) {
        if (record == null) {
            return parse((byte[]) null, null, -1, -1);
        }
        return record.text != null ? parse(record.text, record.source, record.partition, record.offset)
                : parse(record.bytes, record.source, record.partition, record.offset);
    }
}
