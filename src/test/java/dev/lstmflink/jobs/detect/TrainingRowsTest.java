package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.connect.CsvRecordParser;
import dev.lstmflink.connect.EventShape;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.train.data.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CSV replay trains on the first min(⌊train_fraction · n⌋, max_rows) parsed rows of each series. */
class TrainingRowsTest {

    /** Key "short" gets rows 0, 5, 10, ... (2,000 rows), "long" the others (8,000); the value is the row number. */
    private static List<RawRecord> records() {
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String key = i % 5 == 0 ? "short" : "long";
            records.add(RawRecord.line("f.csv", i + 2, key + "," + (1_700_000_000_000L + 60_000L * i) + "," + i));
        }
        records.add(RawRecord.line("f.csv", 10_002, "long,1700000000000,warm"));   // not a valid row: not counted
        return records;
    }

    @Test
    void maxRowsCapsEachSeries() {
        CsvRecordParser parser = new CsvRecordParser(EventShape.values(1), 65_536);
        List<RawRecord> records = records();
        // NAB's probationary period: min(floor(0.15 n), 750): 300 of 2,000; 750 of 8,000 (not 1,200)
        CsvReplay.Training nab = CsvReplay.trainingRows(records, parser, 0.15, 750);
        assertEquals(Map.of("short", 300, "long", 750), nab.rows().counts());
        assertEquals(1050, nab.rows().count());
        assertEquals(2000, nab.valid("short"));
        assertEquals(8000, nab.valid("long"));
        assertEquals(Map.of("short", 300, "long", 1200),
                CsvReplay.trainingRows(records, parser, 0.15, null).rows().counts(), "null: no cap");
        assertEquals(Map.of("short", 1, "long", 1),
                CsvReplay.trainingRows(records, parser, 0.15, 1).rows().counts());

        // the first rows of each series, in order
        Series s = nab.rows().data(List.of("long")).series().series("long");
        assertEquals(750, s.length());
        assertEquals(1f, s.values()[0]);
        assertEquals(4f, s.values()[3]);
        assertEquals(937f, s.values()[749]);   // the 750th row of "long": 937 = 750 + 187 rows of "short" before it
    }
}
