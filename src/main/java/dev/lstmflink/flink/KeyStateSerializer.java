package dev.lstmflink.flink;

import dev.lstmflink.flink.keyed.KeyState;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The name under which savepoints written before the per-key engine (issue 14) hold the serializer snapshot of the
 * {@code lstm-state} of both operators: Flink stores the snapshot's class name and instantiates it on restore. The
 * serializer itself is {@link dev.lstmflink.flink.keyed.KeyStateSerializer} (same format, version 1); this snapshot
 * restores to it, and the savepoints written since name that class. {@code SavepointCompatibilityITCase} (fixture
 * {@code detect-v1}) restores through it.
 */
public final class KeyStateSerializer {

    private KeyStateSerializer() {}

    /** Format version 1 of the key state, under its earlier class name. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyState> {
        public Snapshot() {
            super(() -> dev.lstmflink.flink.keyed.KeyStateSerializer.INSTANCE);
        }
    }
}
