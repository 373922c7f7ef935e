package dev.lstmflink.core.kernel;

/** Prints the kernel {@link LstmKernels} picks in this JVM; run as a child process by {@link LstmKernelsTest}. */
public final class KernelProbe {

    private KernelProbe() {}

    public static void main(String[] args) {
        System.out.println("kernel=" + LstmKernels.preferred().name());
    }
}
