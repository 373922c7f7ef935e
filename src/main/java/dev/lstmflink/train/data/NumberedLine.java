package dev.lstmflink.train.data;

/**
 * One line of a text file with where it came from, as the Flink file source ({@code NumberedLineFormat}) yields
 * it, so that the training job can hand it to a {@link RowParser} and report bad rows as {@code file:line}.
 *
 * @param file the file's path (its last segment is the file name)
 * @param line 1-based line number (the header is line 1)
 * @param text the line without its line terminator
 */
public record NumberedLine(String file, long line, String text) {}
