package dev.lstmflink.cli;

import picocli.CommandLine;

/**
 * The detection job's entry class for a Flink cluster ({@code flink run -c}, the web UI's or REST's
 * {@code /jars/:id/run}, {@code jobs/flink-local submit}); the command line is {@link DetectCli}, which
 * {@code jobs/detect} runs directly.
 *
 * <p>Unlike {@link DetectCli#main} it never calls {@code System.exit}: a jar run through REST runs its main inside the
 * JobManager, where an exit would stop the JobManager (or, with {@code cluster.intercept-user-system-exit: THROW},
 * fail the submission of a job that was in fact submitted). A non-zero exit code becomes an exception instead, after
 * picocli has printed the reason.
 *
 * <p>It lives in {@code cli}, beside the command it runs: {@code jobs} may not import {@code cli} (see
 * {@code LayeringTest}). Until the layering it was {@code dev.lstmflink.jobs.detect.DetectJob}.
 */
public final class DetectJob {

    private DetectJob() {}

    public static void main(String[] args) {
        int code = new CommandLine(new DetectCli()).execute(args);
        if (code != 0) {
            throw new IllegalStateException("jobs/detect ended with exit code " + code + " (the reason is printed above)");
        }
    }
}
