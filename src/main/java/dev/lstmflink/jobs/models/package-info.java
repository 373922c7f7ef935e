/**
 * Model hot swap through a watched folder (a local path or a URI: {@code file://}, {@code s3://}, {@code hdfs://},
 * read through Flink's {@code FileSystem} and its plugins): {@code ModelPublisher} puts a model file into the folder
 * under its version's name, atomically (a hidden temp file, then a rename); {@code ModelUpdates} is the
 * {@code FileSource} that finds each newly published file and {@code ModelFileFormat} turns it into one
 * {@link dev.lstmflink.flink.ModelUpdate} for the detector's broadcast input.
 *
 * <p>It sits under {@code jobs}, not {@code connect}, because the record it produces ({@code ModelUpdate}) lives in
 * {@code flink} (its class name is in savepoints' broadcast state), and {@code connect} may not import {@code flink}
 * ({@code LayeringTest}). May import {@code jobs} ({@code RemoteFiles}) and every level below it.
 */
package dev.lstmflink.jobs.models;
