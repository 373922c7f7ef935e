package dev.lstmflink.jobs.detect;

import dev.lstmflink.cli.DetectCli;

/**
 * The detection job's main class, as Flink's {@code flink run -c} and {@code jobs/detect} name it; the command line
 * is {@link DetectCli}.
 */
public final class DetectJob {

    private DetectJob() {}

    public static void main(String[] args) {
        DetectCli.main(args);
    }
}
