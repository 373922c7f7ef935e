package dev.lstmflink.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading files and folders: good rows kept, bad rows reported with file:line, whole-file errors. */
class SeriesLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void malformedRowsAreCountedAndReportedWhileGoodRowsAreKept() throws IOException {
        Path f = write("s.csv", String.join("\n",
                "timestamp,value",                 // 1
                "2014-07-01 00:00:00,1",           // 2 good
                "2014-07-01 00:30:00,abc",         // 3 not a number
                "2014-07-01 01:00:00,3",           // 4 good
                "",                                // 5 blank: skipped
                "2014-07-01 01:30:00",             // 6 wrong column count
                "2014-07-01 02:00:00,NaN",         // 7 not finite
                "not-a-time,5",                    // 8 bad timestamp
                "2014-07-01 02:30:00,6",           // 9 good
                "2014-07-01 03:00:00,xyz",         // 10 not a number
                "2014-07-01 03:30:00,8") + "\n");  // 11 good
        SeriesLoader.Result res = SeriesLoader.load(f);
        DataReport rep = res.report();
        assertEquals(1, rep.files().size());
        assertEquals(9, rep.rowsRead());
        assertEquals(4, rep.goodRows());
        assertEquals(5, rep.badRows());
        assertEquals(1, rep.blankLines());
        assertEquals(Map.of(
                "column 'value': not a number", 2L,
                "wrong column count", 1L,
                "column 'value': not finite", 1L,
                "column 'timestamp': bad timestamp", 1L), rep.badRowsByReason());
        List<BadRow> bad = rep.firstBadRows();
        assertEquals(List.of(f + ":3", f + ":6", f + ":7", f + ":8", f + ":10"),
                bad.stream().map(BadRow::location).toList());
        assertEquals("column 'value': not a number: \"abc\"", bad.get(0).reason());
        assertEquals("2014-07-01 00:30:00,abc", bad.get(0).raw());
        Series s = res.series().series("s");
        assertArrayEquals(new float[] {1, 3, 6, 8}, s.values());
        String summary = rep.toString();
        assertTrue(summary.startsWith("1 file, 9 rows read: 4 good, 5 bad ("), summary);
        assertTrue(summary.contains(f + ":3: column 'value': not a number: \"abc\""), summary);
    }

    @Test
    void onlyTheFirst20BadRowsAreKeptButAllAreCounted() throws IOException {
        StringBuilder sb = new StringBuilder("timestamp,value\n2014-07-01 00:00:00,1\n");
        for (int i = 0; i < 30; i++) {
            sb.append("2014-07-02 00:00:00,bad").append(i).append('\n');
        }
        DataReport rep = SeriesLoader.load(write("b.csv", sb.toString())).report();
        assertEquals(30, rep.badRows());
        assertEquals(20, rep.firstBadRows().size());
        assertEquals(dir.resolve("b.csv") + ":22", rep.firstBadRows().get(19).location());
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        Path f = write("empty.csv", "");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ": the file is empty"), e.getMessage());
        Path blank = write("blank.csv", "\n  \n");
        assertThrows(DataException.class, () -> SeriesLoader.load(blank));
    }

    @Test
    void headerOnlyFileIsAnError() throws IOException {
        Path f = write("h.csv", "timestamp,value\n\n");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(f));
        assertEquals(f + ": the file has a header ('timestamp,value') but no data rows", e.getMessage());
    }

    @Test
    void unknownHeaderIsAnErrorNamingFileAndAcceptedHeaders() throws IOException {
        Path f = write("u.csv", "date,price\n2014-07-01,3\n");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(f));
        assertEquals(f + ":1: unknown header 'date,price'; expected " + CsvLayout.ACCEPTED, e.getMessage());
    }

    @Test
    void missingHeaderIsAnError() throws IOException {
        Path f = write("n.csv", "2014-07-01 00:00:00,1\n2014-07-01 00:30:00,2\n");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":1: unknown header '2014-07-01 00:00:00,1'"), e.getMessage());
    }

    @Test
    void fileWithoutGoodRowsIsAnError() throws IOException {
        Path f = write("all-bad.csv", "timestamp,value\n2014-07-01 00:00:00;1\n");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ": none of its 1 data rows is good"), e.getMessage());
    }

    @Test
    void folderLoadsCsvFilesInNameOrder() throws IOException {
        write("b.csv", "timestamp,value\n2014-07-01 00:00:00,2\n");
        write("a.csv", "timestamp,value\n1970-01-01 00:00:00.5,1\n");
        write("notes.txt", "not data");
        SeriesLoader.Result res = SeriesLoader.load(dir);
        assertEquals(List.of(dir.resolve("a.csv").toString(), dir.resolve("b.csv").toString()),
                res.report().files());
        assertEquals(List.of("a", "b"), res.series().keys());
        assertEquals(500L, res.series().series("a").tsMillis()[0]);
    }

    @Test
    void folderWithoutCsvIsAnError() throws IOException {
        write("notes.txt", "x");
        assertThrows(DataException.class, () -> SeriesLoader.load(dir));
    }

    @Test
    void differentFeatureCountsAreAnErrorNamingBothFiles() throws IOException {
        Path a = write("a.csv", "key,ts,x,y\nk1,0,1,2\n");
        Path b = write("b.csv", "timestamp,value\n2014-07-01 00:00:00,2\n");
        DataException e = assertThrows(DataException.class, () -> SeriesLoader.load(dir));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("same number of features"), e.getMessage());
    }

    @Test
    void multiKeyRowsAreSortedByTimeStablyAndDuplicatesKept() throws IOException {
        Path f = write("m.csv", String.join("\n",
                "key,ts,v,w",
                "b,3000,30,31",
                "a,2000,20,21",
                "b,1000,10,11",
                "b,3000,32,33",
                "b,2000,20,21",
                "a,1000,10,11"));
        SeriesLoader.Result res = SeriesLoader.load(f);
        SeriesSet set = res.series();
        assertEquals(List.of("a", "b"), set.keys());
        assertEquals(2, set.featureCount());
        Series b = set.series("b");
        assertArrayEquals(new long[] {1000, 2000, 3000, 3000}, b.tsMillis());
        assertArrayEquals(new float[] {10, 11, 20, 21, 30, 31, 32, 33}, b.values(), "ties keep file order");
        assertEquals(1, set.duplicateTimestamps("b"));
        assertEquals(2, set.outOfOrderRows("b"));
        assertEquals(1, set.outOfOrderRows("a"));
        assertEquals(1, res.report().duplicateTimestamps());
        assertEquals(3, res.report().outOfOrderRows());
    }

    @Test
    void nabNycTaxiLoadsCleanly() throws IOException, URISyntaxException {
        Path f = Path.of(SeriesLoaderTest.class.getResource("/data/nab/nyc_taxi.csv").toURI());
        SeriesLoader.Result res = SeriesLoader.load(f);
        DataReport rep = res.report();
        assertEquals(10320, rep.rowsRead());
        assertEquals(10320, rep.goodRows());
        assertEquals(0, rep.badRows());
        assertEquals(0, rep.duplicateTimestamps());
        assertEquals(0, rep.outOfOrderRows());
        Series s = res.series().series("nyc_taxi");
        assertEquals(10320, s.length());
        assertEquals(1_404_172_800_000L, s.tsMillis()[0]);                 // 2014-07-01 00:00:00
        assertEquals(10844f, s.value(0, 0));
        assertEquals(1_404_172_800_000L + 10319L * 30 * 60_000, s.tsMillis()[10319]);   // every 30 min
        assertEquals(26288f, s.value(10319, 0));
    }
}
