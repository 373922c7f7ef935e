package dev.lstmflink.flink.detect;

/**
 * The name under which savepoints written before the per-key engine (issue 14) hold the serializer snapshot of the
 * detector's event-time buffer: Flink stores the snapshot's class name and instantiates it on restore. The serializer
 * is {@link dev.lstmflink.flink.keyed.SensorEventSerializer} (formats 1 and 2, unchanged); this snapshot reads the same
 * versions and resolves as compatible as is. {@code SavepointCompatibilityITCase} (fixture {@code detect-v1}) restores
 * through it.
 */
public final class SensorEventSerializer {

    private SensorEventSerializer() {}

    /** The buffered event's format under its earlier class name. */
    public static final class Snapshot extends dev.lstmflink.flink.keyed.SensorEventSerializer.Snapshot {
        public Snapshot() {}
    }
}
