package dev.lstmflink.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel is chosen by what the JVM has: a JVM without the incubator module runs the scalar kernel. */
class LstmKernelsTest {

    @Test
    void jvmWithVectorModulePicksVectorKernel() throws Exception {
        String out = probe(List.of("--add-modules=jdk.incubator.vector"));
        assertTrue(out.contains("kernel=vector-"), out);
    }

    @Test
    void jvmWithoutVectorModuleFallsBackToScalarAndSaysSo() throws Exception {
        String out = probe(List.of());
        assertTrue(out.contains("kernel=scalar"), out);
        assertTrue(out.contains("--add-modules=jdk.incubator.vector"), "the fallback must tell how to enable SIMD: "
                + out);
    }

    @Test
    void propertyForcesScalar() throws Exception {
        String out = probe(List.of("--add-modules=jdk.incubator.vector", "-D" + LstmKernels.PROPERTY + "=scalar"));
        assertTrue(out.contains("kernel=scalar"), out);
    }

    @Test
    void unknownSettingNamesPropertyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LstmKernels.select("gpu"));
        assertTrue(e.getMessage().contains(LstmKernels.PROPERTY) && e.getMessage().contains("'gpu'"), e.getMessage());
    }

    @Test
    void forcedVectorWithoutModuleFails() throws Exception {
        String out = probe(List.of("-D" + LstmKernels.PROPERTY + "=vector"));
        assertTrue(out.contains("jdk.incubator.vector is not available"), out);
    }

    private static String probe(List<String> jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KernelProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "probe JVM did not finish");
        return out;
    }
}
