package dev.lstmflink.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lstmflink.train.data.NumberedLine;
import dev.lstmflink.train.data.RowParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader of {@link NumberedLineFormat} without a cluster: numbering, positions, restore, line ends. */
class NumberedLineFormatTest {

    @TempDir
    Path dir;

    private static FileSourceSplit split(Path f, CheckpointedPosition pos) throws IOException {
        long len = Files.size(f);
        return new FileSourceSplit("0", new org.apache.flink.core.fs.Path(f.toUri()), 0, len,
                Files.getLastModifiedTime(f).toMillis(), len, new String[0], pos);
    }

    /** All records of a reader, checking that each one's position is the number of lines read up to it. */
    private static List<NumberedLine> readAll(BulkFormat.Reader<NumberedLine> r) throws IOException {
        List<NumberedLine> out = new ArrayList<>();
        try (r) {
            for (BulkFormat.RecordIterator<NumberedLine> it; (it = r.readBatch()) != null; ) {
                for (RecordAndPosition<NumberedLine> rp; (rp = it.next()) != null; ) {
                    assertEquals(CheckpointedPosition.NO_OFFSET, rp.getOffset());
                    assertEquals(rp.getRecord().line(), rp.getRecordSkipCount(), "position after the line");
                    out.add(rp.getRecord());
                }
                it.releaseBatch();
            }
        }
        return out;
    }

    @Test
    void numbersEveryLineFromOneWithTheFilePath() throws IOException {
        Path f = Files.writeString(dir.resolve("a.csv"), "timestamp,value\r\n2014-07-01 00:00:00,1\n\nlast");
        NumberedLineFormat fmt = new NumberedLineFormat();
        List<NumberedLine> lines = readAll(fmt.createReader(new Configuration(), split(f, null)));
        String file = new org.apache.flink.core.fs.Path(f.toUri()).toString();
        assertEquals(List.of(
                new NumberedLine(file, 1, "timestamp,value"),
                new NumberedLine(file, 2, "2014-07-01 00:00:00,1"),
                new NumberedLine(file, 3, ""),
                new NumberedLine(file, 4, "last")), lines);
        assertEquals("a", RowParser.keyOfFile(lines.get(0).file()));
        assertFalse(fmt.isSplittable());
        assertEquals(NumberedLine.class, fmt.getProducedType().getTypeClass());
    }

    @Test
    void manyLinesSpanBatchesWithContinuousNumbers() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 2500; i++) {
            sb.append("line ").append(i).append('\n');
        }
        Path f = Files.writeString(dir.resolve("big.txt"), sb);
        List<NumberedLine> lines = readAll(new NumberedLineFormat().createReader(new Configuration(), split(f, null)));
        assertEquals(2500, lines.size());
        for (int i = 0; i < 2500; i++) {
            assertEquals(i + 1, lines.get(i).line());
            assertEquals("line " + (i + 1), lines.get(i).text());
        }
    }

    @Test
    void restoreSkipsTheLinesAlreadyEmitted() throws IOException {
        Path f = Files.writeString(dir.resolve("r.csv"), "h\nl2\nl3\nl4\n");
        List<NumberedLine> lines = readAll(new NumberedLineFormat().restoreReader(new Configuration(),
                split(f, new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 2))));
        assertEquals(List.of("l3", "l4"), lines.stream().map(NumberedLine::text).toList());
        assertEquals(3, lines.get(0).line());
        assertThrows(IOException.class, () -> new NumberedLineFormat().restoreReader(new Configuration(),
                split(f, new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 9))));
        assertThrows(IOException.class, () -> new NumberedLineFormat().restoreReader(new Configuration(),
                split(f, new CheckpointedPosition(3, 0))));
    }

    @Test
    void emptyFileGivesNoLines() throws IOException {
        Path f = Files.writeString(dir.resolve("e.csv"), "");
        try (BulkFormat.Reader<NumberedLine> r = new NumberedLineFormat().createReader(new Configuration(),
                split(f, null))) {
            assertNull(r.readBatch());
        }
    }
}
