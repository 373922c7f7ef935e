package dev.lstmflink.flink.detect;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A serializer for a mutable state object that writes and reads itself ({@code write(DataOutput)} and a static
 * {@code read(DataInput)}): the scoring states' serializers differ only in those two calls and the copy, so they
 * share the rest here. Subclasses keep their own snapshot class (its name is part of every savepoint).
 */
abstract class OwnFormatSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    /** Writes {@code value} in its own format. */
    abstract void write(T value, DataOutputView out) throws IOException;

    /** Reads what {@link #write} wrote; a corrupt record is an {@link IOException}. */
    abstract T read(DataInputView in) throws IOException;

    /** An independent deep copy. */
    abstract T deepCopy(T value);

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T copy(T from) {
        return deepCopy(from);
    }

    @Override
    public final T copy(T from, T reuse) {
        return deepCopy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final void serialize(T value, DataOutputView out) throws IOException {
        write(value, out);
    }

    @Override
    public final T deserialize(DataInputView in) throws IOException {
        return read(in);
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return read(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        write(read(in), out);
    }
}
