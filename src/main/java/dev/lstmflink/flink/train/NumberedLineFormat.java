package dev.lstmflink.flink.train;

import dev.lstmflink.train.data.NumberedLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.IteratorResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * A Flink file format that yields every line of every file as a {@link NumberedLine} (file, 1-based line number,
 * text), so a Flink job can parse series CSVs with {@link dev.lstmflink.train.data.RowParser} and report bad rows as
 * {@code file:line}. Use it as {@code FileSource.forBulkFileFormat(new NumberedLineFormat(), paths).build()}. It lives
 * here, not beside {@code NumberedLine} in {@code train.data}, because {@code train} does not depend on Flink.
 *
 * <p>Why a {@link BulkFormat} and not a {@code StreamFormat}: a {@code StreamFormat}'s {@code createReader} gets only
 * the opened stream and its length, never the file's path, so it cannot say which file a line came from. A
 * {@code BulkFormat}'s reader gets the {@link FileSourceSplit}, whose {@link FileSourceSplit#path()} it is.
 * (Flink's own {@code TextLineInputFormat} is a {@code StreamFormat}, read through an adapter that also rejects
 * empty files; this format reads an empty file as no lines.)
 *
 * <p>Files are not split (line numbers count from the start of the file) and are read as UTF-8, uncompressed; line
 * ends are {@code \n}, {@code \r\n} or {@code \r}, as {@link BufferedReader#readLine()} sees them. The checkpointed
 * position of a line is the number of lines read up to and including it, so a restored reader skips that many lines
 * and goes on numbering from there.
 */
public final class NumberedLineFormat implements BulkFormat<NumberedLine, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    /** Lines handed over per batch. */
    private static final int LINES_PER_BATCH = 1024;

    @Override
    public Reader<NumberedLine> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<NumberedLine> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        CheckpointedPosition pos = split.getReaderPosition().orElse(null);
        if (pos == null) {
            return open(split, 0);
        }
        if (pos.getOffset() != CheckpointedPosition.NO_OFFSET) {
            throw new IOException(split.path() + ": cannot restore from byte offset " + pos.getOffset()
                    + "; this format checkpoints line counts only");
        }
        return open(split, pos.getRecordsAfterOffset());
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<NumberedLine> getProducedType() {
        return TypeInformation.of(NumberedLine.class);
    }

    private static LineReader open(FileSourceSplit split, long linesToSkip) throws IOException {
        if (split.offset() != 0) {
            throw new IOException(split.path() + ": split starts at byte " + split.offset()
                    + ", but this format reads whole files");
        }
        Path path = split.path();
        FSDataInputStream in = path.getFileSystem().open(path);
        LineReader reader = new LineReader(path.toString(),
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        try {
            reader.skip(linesToSkip);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        return reader;
    }

    /** Reads a file's lines in batches, counting them. */
    private static final class LineReader implements BulkFormat.Reader<NumberedLine> {
        private final String file;
        private final BufferedReader in;
        private long linesRead;

        LineReader(String file, BufferedReader in) {
            this.file = file;
            this.in = in;
        }

        void skip(long lines) throws IOException {
            while (linesRead < lines) {
                if (in.readLine() == null) {
                    throw new IOException(file + ": cannot restore after line " + lines + ": the file has only "
                            + linesRead + " lines");
                }
                linesRead++;
            }
        }

        @Override
        public RecordIterator<NumberedLine> readBatch() throws IOException {
            List<NumberedLine> batch = new ArrayList<>();
            long before = linesRead;
            for (String text; batch.size() < LINES_PER_BATCH && (text = in.readLine()) != null; ) {
                linesRead++;
                batch.add(new NumberedLine(file, linesRead, text));
            }
            if (batch.isEmpty()) {
                return null;
            }
            // The position after each record: no byte offset, and the lines read up to and including it.
            return new IteratorResultIterator<>(batch.iterator(), CheckpointedPosition.NO_OFFSET, before);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
