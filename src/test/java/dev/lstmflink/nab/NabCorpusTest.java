package dev.lstmflink.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a NAB corpus folder: series, windows located by timestamp, profiles; and what is rejected. */
class NabCorpusTest {

    @TempDir
    Path dir;

    private static final String PROFILES = """
            {"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
             "reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}},
             "reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}}}
            """;

    /** Rows 0..7; row 2 repeats row 1's timestamp, row 5 steps back, a blank line ends the file. */
    private static final String DATA = """
            timestamp,value
            2020-01-01 00:00:00,1
            2020-01-01 00:05:00,2
            2020-01-01 00:05:00,3
            2020-01-01 00:10:00,4
            2020-01-01 00:20:00,5
            2020-01-01 00:15:00,6
            2020-01-01 00:25:00,7
            2020-01-01 00:30:00,8

            """;

    private Path corpus(String windows) throws IOException {
        Files.createDirectories(dir.resolve("data/realX"));
        Files.createDirectories(dir.resolve("labels"));
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("data/realX/x.csv"), DATA);
        Files.writeString(dir.resolve("labels/combined_windows.json"), windows);
        Files.writeString(dir.resolve("config/profiles.json"), PROFILES);
        return dir;
    }

    @Test
    void readsSeriesWindowsAndProfiles() throws IOException {
        NabCorpus c = NabCorpus.load(corpus(
                "{\"realX/x.csv\": [[\"2020-01-01 00:20:00.000000\", \"2020-01-01 00:25:00.000000\"]]}"));
        assertEquals(dir, c.root());
        NabSeries s = c.series("realX/x.csv");
        assertEquals(8, s.rows());                             // the blank line is not a row
        assertEquals("realX", s.category());
        assertEquals("x.csv", s.fileName());
        assertEquals(1, s.probationaryRows());                 // floor(1.2)
        assertEquals(LocalDateTime.of(2020, 1, 1, 0, 5), s.timestamps().get(2));
        // by timestamp: from the row at 00:20 (4) to the row at 00:25 (6), the backward step at row 5 inside
        assertEquals(List.of(new NabWindow(LocalDateTime.of(2020, 1, 1, 0, 20), LocalDateTime.of(2020, 1, 1, 0, 25),
                4, 6)), s.windows());
        assertEquals(List.of("standard", "reward_low_FP_rate", "reward_low_FN_rate"),
                c.profiles().stream().map(NabProfile::name).toList());
        assertEquals(new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0, 1.0), c.profile("reward_low_FN_rate"));
        assertEquals(1, c.windowCount());
        assertEquals(8, c.rowCount());
    }

    @Test
    void roundTripsTheFixtureCorpus() throws IOException {
        NabCorpus fixture = NabCorpus.of(List.of(NabFixtures.series("beta/b.csv", 20, new int[] {12, 15}),
                NabFixtures.series("alpha/a.csv", 40, new int[] {10, 19}), NabFixtures.series("beta/c.csv", 20)),
                List.of(NabFixtures.CUSTOM));
        NabCorpus c = NabCorpus.load(NabFixtures.writeCorpus(dir, fixture));
        assertEquals(List.of("alpha/a.csv", "beta/b.csv", "beta/c.csv"),
                c.series().stream().map(NabSeries::relativePath).toList());   // sorted by path
        assertEquals(List.of("alpha", "beta"), c.categories());
        assertEquals(fixture.series("alpha/a.csv"), c.series("alpha/a.csv"));
        assertEquals(fixture.series("beta/c.csv"), c.series("beta/c.csv"));
        assertEquals(List.of(NabFixtures.CUSTOM), c.profiles());
    }

    @Test
    void aWindowLimitMustBeADataTimestampExactlyOnce() throws IOException {
        IOException e = assertThrows(IOException.class, () -> NabCorpus.load(corpus(
                "{\"realX/x.csv\": [[\"2020-01-01 00:05:00\", \"2020-01-01 00:25:00\"]]}")));
        assertTrue(e.getMessage().contains("x.csv") && e.getMessage().contains("more than once")
                && e.getMessage().contains("rows 1 and 2"), e.getMessage());
        e = assertThrows(IOException.class, () -> NabCorpus.load(corpus(
                "{\"realX/x.csv\": [[\"2020-01-01 00:21:00\", \"2020-01-01 00:25:00\"]]}")));
        assertTrue(e.getMessage().contains("2020-01-01T00:21") && e.getMessage().contains("not a timestamp of the data"),
                e.getMessage());
    }

    @Test
    void missingOrMalformedFilesAreNamed() throws IOException {
        IOException e = assertThrows(IOException.class, () -> NabCorpus.load(corpus(
                "{\"realX/x.csv\": [], \"realX/gone.csv\": []}")));
        assertTrue(e.getMessage().contains("gone.csv") && e.getMessage().contains("no such data file"), e.getMessage());

        e = assertThrows(IOException.class, () -> NabCorpus.load(corpus("{\"realX/x.csv\": [[\"yesterday\", \"x\"]]}")));
        assertTrue(e.getMessage().contains("combined_windows.json") && e.getMessage().contains("yesterday"),
                e.getMessage());

        corpus("{\"realX/x.csv\": []}");
        Files.writeString(dir.resolve("config/profiles.json"), "{\"p\": {\"CostMatrix\": {\"tpWeight\": 1}}}");
        e = assertThrows(IOException.class, () -> NabCorpus.load(dir));
        assertTrue(e.getMessage().contains("profiles.json") && e.getMessage().contains("fpWeight"), e.getMessage());

        e = assertThrows(IOException.class, () -> NabCorpus.load(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void timestampsInNabsFormats() {
        LocalDateTime t = LocalDateTime.of(2014, 2, 19, 10, 50);
        assertEquals(t, NabCorpus.parseTimestamp("2014-02-19 10:50:00"));
        assertEquals(t, NabCorpus.parseTimestamp("2014-02-19 10:50:00.000000"));
        assertEquals(t, NabCorpus.parseTimestamp("2014-02-19T10:50"));
        assertEquals(t.plusNanos(500_000), NabCorpus.parseTimestamp("2014-02-19 10:50:00.0005"));
        assertThrows(IllegalArgumentException.class, () -> NabCorpus.parseTimestamp("2014-02-30 10:50:00"));
        assertThrows(IllegalArgumentException.class, () -> NabCorpus.parseTimestamp("1392807000"));
    }
}
