package dev.lstmflink.core.kernel;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the float32 kernel once per JVM: {@link VectorLstmKernel} when {@code jdk.incubator.vector} is available,
 * otherwise {@link ScalarLstmKernel}, and logs which one runs.
 *
 * <p>The system property {@value #PROPERTY} ({@code auto}, {@code vector} or {@code scalar}) overrides the choice;
 * {@code vector} fails when the module is absent instead of falling back silently.
 */
public final class LstmKernels {

    public static final String PROPERTY = "lstmflink.kernel";
    private static final Logger LOG = LoggerFactory.getLogger(LstmKernels.class);
    private static final String VECTOR_CLASS = "dev.lstmflink.core.kernel.VectorLstmKernel";

    private static volatile LstmKernel<float[]> preferred;

    private LstmKernels() {}

    /** The kernel this JVM uses for float32 networks. */
    public static LstmKernel<float[]> preferred() {
        LstmKernel<float[]> k = preferred;
        if (k == null) {
            synchronized (LstmKernels.class) {
                k = preferred;
                if (k == null) {
                    k = select(System.getProperty(PROPERTY, "auto"));
                    preferred = k;
                }
            }
        }
        return k;
    }

    /** The kernel for a setting of {@value #PROPERTY}. */
    public static LstmKernel<float[]> select(String setting) {
        switch (setting.toLowerCase(Locale.ROOT)) {
            case "scalar":
                LOG.info("LSTM kernel: scalar ({}=scalar)", PROPERTY);
                return new ScalarLstmKernel();
            case "vector":
                return vector().orElseThrow(() -> new IllegalStateException(
                        PROPERTY + "=vector but jdk.incubator.vector is not available: start the JVM with "
                                + "--add-modules=jdk.incubator.vector"));
            case "auto":
                return vector().orElseGet(() -> {
                    LOG.warn("LSTM kernel: scalar (jdk.incubator.vector is not available; start the JVM with "
                            + "--add-modules=jdk.incubator.vector for the SIMD kernel)");
                    return new ScalarLstmKernel();
                });
            default:
                throw new IllegalArgumentException(
                        PROPERTY + " must be auto, vector or scalar, got '" + setting + "'");
        }
    }

    /** The vector kernel, if this JVM can load it. Loaded reflectively: linking it needs the incubator module. */
    @SuppressWarnings("unchecked")
    public static java.util.Optional<LstmKernel<float[]>> vector() {
        try {
            LstmKernel<float[]> k = (LstmKernel<float[]>) Class.forName(VECTOR_CLASS)
                    .getDeclaredConstructor().newInstance();
            LOG.info("LSTM kernel: {} (jdk.incubator.vector)", k.name());
            return java.util.Optional.of(k);
        } catch (ReflectiveOperationException | LinkageError e) {
            return java.util.Optional.empty();
        }
    }
}
