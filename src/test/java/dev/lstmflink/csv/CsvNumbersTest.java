package dev.lstmflink.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link CsvNumbers}' loops against the regular expressions its class comment states, the reference. */
class CsvNumbersTest {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    @Test
    void decimals() {
        for (String s : new String[] {"1", "-2.5", "+.5", "1.", "1e-3", "1E+3", "0007", "-0", "1.5e10"}) {
            assertTrue(CsvNumbers.isDecimal(s), s);
        }
        for (String s : new String[] {"", "+", "-", ".", "e3", "1e", "1e+", ".e1", "0x1p3", "1f", "1d", " 1", "1 ",
            "1,5", "--1", "1.2.3", "١", "NaN", "Infinity"}) {
            assertFalse(CsvNumbers.isDecimal(s), s);
        }
    }

    @Test
    void nonFinite() {
        for (String s : new String[] {"NaN", "nan", "-NAN", "inf", "+Inf", "-Infinity", "INFINITY"}) {
            assertTrue(CsvNumbers.isNonFinite(s), s);
        }
        for (String s : new String[] {"", "na", "infinit", "infinityy", "+-inf", " nan", "\u0131nf", "\u0130nf"}) {
            assertFalse(CsvNumbers.isNonFinite(s), s);
        }
    }

    @Test
    void integers() {
        for (String s : new String[] {"0", "+1", "-1", "-0", "99999999999999999999"}) {
            assertTrue(CsvNumbers.isInteger(s), s);
        }
        for (String s : new String[] {"", "+", "1.0", "1e2", "1.", " 1", "0x1", "١"}) {
            assertFalse(CsvNumbers.isInteger(s), s);
        }
    }

    /**
     * Random short strings over the characters that matter, and a few that must not (an Arabic-Indic digit, the
     * dotless ı that Unicode case folding turns into i); a decimal must also be one {@link Double#parseDouble} takes.
     */
    @Test
    void agreeWithTheRegularExpressions() {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "0123456789+-.eEnNaAiIfFtTyY x\u0661\u0131";
        for (int trial = 0; trial < 300_000; trial++) {
            StringBuilder b = new StringBuilder();
            int len = r.nextInt(9);
            for (int i = 0; i < len; i++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = b.toString();
            assertEquals(DECIMAL.matcher(s).matches(), CsvNumbers.isDecimal(s), () -> "seed " + seed + ": " + s);
            assertEquals(NON_FINITE.matcher(s).matches(), CsvNumbers.isNonFinite(s), () -> "seed " + seed + ": " + s);
            assertEquals(INTEGER.matcher(s).matches(), CsvNumbers.isInteger(s), () -> "seed " + seed + ": " + s);
            if (CsvNumbers.isDecimal(s)) {
                Double.parseDouble(s);   // what every reader calls next: must not throw
            }
        }
    }
}
