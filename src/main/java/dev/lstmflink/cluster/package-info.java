/**
 * A standalone Flink session cluster on 127.0.0.1 built from the Maven Central jars in {@code target/lib}, without
 * Docker or a Flink distribution: one JobManager JVM and N TaskManager JVMs started with the entry points Flink's own
 * {@code start-cluster.sh} uses, a REST client to submit the job jar and watch jobs, and {@code jobs/flink-local}
 * ({@link dev.lstmflink.cluster.FlinkLocalCli}) around them. The crash and rescale tests run the detection job on it.
 *
 * <p>A tool on the top level, beside {@code cli}: it may import anything of ours (today it needs nothing but Flink's
 * entry points; the job it runs is named by class name, {@code dev.lstmflink.cli.DetectJob}), and nothing imports it.
 */
package dev.lstmflink.cluster;
