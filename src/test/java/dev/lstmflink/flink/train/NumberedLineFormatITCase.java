package dev.lstmflink.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.train.data.BadRow;
import dev.lstmflink.train.data.DataReport;
import dev.lstmflink.train.data.NumberedLine;
import dev.lstmflink.train.data.ParseResult;
import dev.lstmflink.train.data.RowParser;
import dev.lstmflink.train.data.SeriesSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NumberedLineFormat} in a Flink batch job over a folder of two files: every line arrives once with its file
 * and line number, so rows parsed with {@link RowParser} report bad rows as {@code file:line}.
 */
class NumberedLineFormatITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path dir;

    @Test
    void batchJobReadsNumberedLinesOfTwoFiles() throws Exception {
        Files.writeString(dir.resolve("a.csv"), "timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:30:00,x\n");
        Files.writeString(dir.resolve("b.csv"), "key,ts,v\r\nk1,1000,5\r\nk1,oops,6");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        FileSource<NumberedLine> source = FileSource
                .forBulkFileFormat(new NumberedLineFormat(), new org.apache.flink.core.fs.Path(dir.toUri()))
                .build();
        List<NumberedLine> lines = new ArrayList<>();
        CloseableIterator<NumberedLine> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbered lines").executeAndCollect();
        try {
            it.forEachRemaining(lines::add);
        } finally {
            it.close();
        }
        lines.sort(Comparator.comparing(NumberedLine::file).thenComparingLong(NumberedLine::line));
        String a = new org.apache.flink.core.fs.Path(dir.resolve("a.csv").toUri()).toString();
        String b = new org.apache.flink.core.fs.Path(dir.resolve("b.csv").toUri()).toString();
        assertEquals(List.of(
                new NumberedLine(a, 1, "timestamp,value"),
                new NumberedLine(a, 2, "2014-07-01 00:00:00,1"),
                new NumberedLine(a, 3, "2014-07-01 00:30:00,x"),
                new NumberedLine(b, 1, "key,ts,v"),
                new NumberedLine(b, 2, "k1,1000,5"),
                new NumberedLine(b, 3, "k1,oops,6")), lines);

        // What the training job will do with them: a parser per file from line 1, then each later line.
        Map<String, RowParser> parsers = new HashMap<>();
        DataReport report = new DataReport();
        SeriesSet set = new SeriesSet();
        for (NumberedLine l : lines) {
            if (l.line() == 1) {
                parsers.put(l.file(), RowParser.forHeader(l.file(), l.text()));
                report.addFile(l.file());
                continue;
            }
            ParseResult r = parsers.get(l.file()).parse(l.line(), l.text());
            report.count(r);
            if (r.isRow()) {
                set.add(l.file(), r.row());
            }
        }
        assertEquals(2, report.goodRows());
        assertEquals(List.of(a + ":3", b + ":3"), report.firstBadRows().stream().map(BadRow::location).toList());
        assertEquals(List.of("a", "k1"), set.keys());
    }
}
