package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link ModelUpdate} that broadcast state (of {@link SwappableLstmFunction}) holds in a savepoint taken before the
 * fields {@code source}, {@code publishedAt} and {@code error} were added still restores: the old class (version and
 * bytes only) is compiled here and loaded apart, its POJO serializer's snapshot and one record are written with it, and
 * the current class reads them back through Flink's schema evolution, the new fields at their defaults.
 */
class ModelUpdateSchemaEvolutionTest {

    /** {@code ModelUpdate} as it was before the watched-folder channel. */
    private static final String OLD_CLASS = """
            package dev.lstmflink.flink;
            public class ModelUpdate {
                public String version;
                public byte[] bytes;
                public ModelUpdate() {}
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void anOldModelUpdateRestoresWithTheNewFieldsAtTheirDefaults() throws Exception {
        DataOutputSerializer snapshotOut = new DataOutputSerializer(256);
        DataOutputSerializer recordOut = new DataOutputSerializer(256);
        try (URLClassLoader old = oldClassLoader()) {
            Class<?> oldClass = old.loadClass(ModelUpdate.class.getName());
            assertEquals(2, oldClass.getFields().length, "the old class, not the current one");
            writeOld(oldClass, snapshotOut, recordOut);
        }

        TypeSerializerSnapshot<ModelUpdate> oldSnapshot = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshotOut.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<ModelUpdate> current = TypeInformation.of(ModelUpdate.class)
                .createSerializer(new SerializerConfigImpl());
        TypeSerializerSchemaCompatibility<ModelUpdate> compat =
                current.snapshotConfiguration().resolveSchemaCompatibility(oldSnapshot);
        assertTrue(compat.isCompatibleAfterMigration(), "new fields: the state is migrated on restore, " + compat);

        ModelUpdate restored = oldSnapshot.restoreSerializer()
                .deserialize(new DataInputDeserializer(recordOut.getCopyOfBuffer()));
        assertEquals("v7", restored.version);
        assertArrayEquals(new byte[] {1, 2, 3}, restored.bytes);
        assertNull(restored.source);
        assertEquals(0L, restored.publishedAt);
        assertNull(restored.error);
    }

    /** The old class's serializer snapshot and one record {@code ("v7", [1, 2, 3])}, written with that class. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void writeOld(Class<?> oldClass, DataOutputSerializer snapshotOut, DataOutputSerializer recordOut)
            throws Exception {
        TypeSerializer serializer = TypeInformation.of(oldClass).createSerializer(new SerializerConfigImpl());
        assertTrue(serializer.getClass().getSimpleName().equals("PojoSerializer"), serializer.toString());
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshotOut, serializer.snapshotConfiguration());
        Object record = oldClass.getConstructor().newInstance();
        oldClass.getField("version").set(record, "v7");
        oldClass.getField("bytes").set(record, new byte[] {1, 2, 3});
        serializer.serialize(record, recordOut);
    }

    /** A class loader that finds the old {@code ModelUpdate} before the current one, and everything else as usual. */
    private URLClassLoader oldClassLoader() throws IOException {
        Path src = tmp.resolve("src/dev/lstmflink/flink/ModelUpdate.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, OLD_CLASS, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()), "javac");
        ClassLoader app = getClass().getClassLoader();
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, app) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(ModelUpdate.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : findClass(name);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
    }
}
