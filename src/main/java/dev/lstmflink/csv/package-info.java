/**
 * The one CSV reader of the project: how a line of text becomes cells ({@link dev.lstmflink.csv.CsvCells}) and which
 * cells are numbers and ids ({@link dev.lstmflink.csv.CsvNumbers}). {@code jobs/detect} (its Kafka records and CSV
 * replay, {@code connect.CsvRecordParser}), {@code jobs/train} ({@code train.data.RowParser} and
 * {@code train.data.CsvLayout}), {@code jobs/lstm forward} ({@code cli.SequenceCsv}) and the NAB scorer
 * ({@code nab.NabCsv}) all read through it, so a file means the same to each of them; what each reader does with a
 * bad row (a dead letter, a counted bad row, an error) and how it words it stays its own.
 *
 * <p>It imports only the JDK ({@code CoreHasNoFlinkTest} checks): no Flink, no Jackson, nothing of the project, so
 * every other package may depend on it and it on none of them.
 */
package dev.lstmflink.csv;
