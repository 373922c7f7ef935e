package dev.lstmflink.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each rule of {@link CsvCells}: separators, quotes, spaces, line ends, the byte-order mark, and each error. */
class CsvCellsTest {

    @Test
    void commasSeparateCellsAndNCommasMakeNPlusOneCells() throws CsvFormatException {
        assertEquals(List.of("a", "b", "c"), CsvCells.split("a,b,c"));
        assertEquals(List.of(""), CsvCells.split(""), "an empty line is one empty cell");
        assertEquals(List.of("", ""), CsvCells.split(","));
        assertEquals(List.of("a", ""), CsvCells.split("a,"));
        assertEquals(List.of("", "a"), CsvCells.split(",a"));
        assertEquals(List.of("", "", ""), CsvCells.split(" , ,"));
    }

    @Test
    void quotedCellsKeepCommasAndEverythingElseAndADoubledQuoteIsOneQuote() throws CsvFormatException {
        assertEquals(List.of("a,b", "c"), CsvCells.split("\"a,b\",c"));
        assertEquals(List.of("say \"hi\""), CsvCells.split("\"say \"\"hi\"\"\""));
        assertEquals(List.of("a\"b\"c", "d"), CsvCells.split("\"a\"\"b\"\"c\",d"));
        assertEquals(List.of("\""), CsvCells.split("\"\"\"\""), "a cell that is one quote");
        assertEquals(List.of("", "x"), CsvCells.split("\"\",x"), "a quoted empty cell");
        assertEquals(List.of(" a ", "\tb"), CsvCells.split("\" a \",\"\tb\""), "spaces inside quotes are kept");
        assertEquals(List.of("a", "b", "c"), CsvCells.split("\"a\",\"b\",\"c\""));
        assertEquals(List.of("x,y", ""), CsvCells.split("\"x,y\","));
        assertEquals(List.of("'single'"), CsvCells.split("'single'"), "single quotes are plain characters");
    }

    @Test
    void spacesAndTabsAroundACellAreNotPartOfIt() throws CsvFormatException {
        assertEquals(List.of("a", "b c", "1.5"), CsvCells.split(" a ,\tb c\t,  1.5  "));
        assertEquals(List.of("a,b", "c"), CsvCells.split("  \"a,b\"\t , c"), "around quotes too");
        assertEquals(List.of("\u000b1"), CsvCells.split("\u000b1"), "other control characters stay");
    }

    @Test
    void oneLineEndIsDroppedAndAByteOrderMarkAtTheStart() throws CsvFormatException {
        for (String end : new String[] {"\n", "\r\n", "\r"}) {
            assertEquals(List.of("a", "b"), CsvCells.split("a,b" + end));
            assertEquals(List.of("a,b"), CsvCells.split("\"a,b\"" + end));
            assertEquals(List.of("a", ""), CsvCells.split("a," + end));
            assertEquals("a,b", CsvCells.stripLineEnd("a,b" + end));
        }
        assertEquals("a,b", CsvCells.stripLineEnd("a,b"));
        assertEquals(List.of("a", "b"), CsvCells.split("\uFEFFa,b"));
        assertEquals(List.of("a"), CsvCells.split("\uFEFF\"a\"\r\n"));
        assertEquals(List.of(""), CsvCells.split("\uFEFF"));
        assertEquals(List.of("a", "\uFEFFb"), CsvCells.split("a,\uFEFFb"), "only at the start of the line");
    }

    @Test
    void anUnclosedQuoteNamesItsColumnAndWhereItOpens() {
        CsvFormatException e = error("a,\"b,c", 2, 3);
        assertEquals("column 2 opens a quote that is never closed (character 3)", e.getMessage());
        assertEquals("opens a quote that is never closed (character 3)", e.detail());
        error("\"", 1, 1);
        error("x, \"a\"\"", 2, 4);   // the doubled quote is a quote inside, so nothing closes
        error("\"a\r\n", 1, 1);       // the line end is dropped before reading, so it cannot close anything
    }

    @Test
    void textAfterAClosingQuoteAQuoteInsideAnUnquotedCellAndLineBreaksAreErrors() {
        CsvFormatException after = error("\"a\"b,c", 1, 4);
        assertTrue(after.getMessage().contains("has text after its closing quote: \"b,c\""), after.getMessage());
        CsvFormatException inside = error("x,ab\"c", 2, 5);
        assertTrue(inside.getMessage().contains("has a quote inside an unquoted cell: \"ab\\\"c\""),
                inside.getMessage());
        CsvFormatException lf = error("a\nb,c", 1, 2);
        assertTrue(lf.getMessage().contains("line break"), lf.getMessage());
        error("a,\"b\nc\"", 2, 5);     // inside quotes too: a record is one line
        error("a,b\n\n", 2, 4);        // only one line end is dropped
        error("a\rb", 1, 2);
    }

    @Test
    void longTextIsShownCutAndEscaped() {
        CsvFormatException e = error("\"a\"" + "x".repeat(100), 1, 4);
        assertTrue(e.getMessage().contains("\"" + "x".repeat(40) + "\"... (100 characters)"), e.getMessage());
        assertTrue(e.getMessage().length() < 120, e.getMessage());
        CsvFormatException tab = error("\"a\" \t\u0001", 1, 6);
        assertTrue(tab.getMessage().contains("\"\\u0001\""), tab.getMessage());
    }

    @Test
    void splitOrNullIsNullForNullAndBadLines() {
        assertNull(CsvCells.splitOrNull(null));
        assertNull(CsvCells.splitOrNull("\"a"));
        assertEquals(List.of("a", "b"), CsvCells.splitOrNull("a,b\n"));
    }

    /**
     * Any cells without line breaks, written as RFC 4180 writes them (quoted when they hold a comma or a quote, or
     * start or end with a space or tab, and sometimes when they need not be), read back as they were.
     */
    @Test
    void writtenCellsReadBack() throws CsvFormatException {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "ab1.,\" \t-\u00e9\uFEFF";
        for (int trial = 0; trial < 20_000; trial++) {
            List<String> cells = new ArrayList<>();
            int n = 1 + r.nextInt(5);
            for (int c = 0; c < n; c++) {
                StringBuilder cell = new StringBuilder();
                int len = r.nextInt(6);
                for (int i = 0; i < len; i++) {
                    cell.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                cells.add(cell.toString());
            }
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < n; c++) {
                String cell = cells.get(c);
                boolean must = cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || !cell.strip().equals(cell)
                        || c == 0 && cell.startsWith("\uFEFF");
                line.append(c == 0 ? "" : ",").append(r.nextInt(3) == 0 ? " " : "");
                line.append(must || r.nextInt(4) == 0 ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell);
                line.append(r.nextInt(3) == 0 ? "\t" : "");
            }
            assertEquals(cells, CsvCells.split(line.toString()), "seed " + seed + ", line " + line);
        }
    }

    private static CsvFormatException error(String line, int column, int position) {
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> CsvCells.split(line), line);
        assertEquals(column, e.column(), e.getMessage());
        assertEquals(position, e.position(), e.getMessage());
        assertTrue(e.getMessage().startsWith("column " + column + " "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(character " + position + ")"), e.getMessage());
        return e;
    }
}
