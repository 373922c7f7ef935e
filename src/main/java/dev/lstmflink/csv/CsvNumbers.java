package dev.lstmflink.csv;

/**
 * Which cells are numbers and which are ids, the same for every reader. A cell is tested as {@link CsvCells} returned
 * it: nothing is trimmed here, so a quoted {@code " 1"} is not a number.
 *
 * <ul>
 *   <li>A value is a decimal number, {@code [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?} with ASCII digits: {@code 1},
 *       {@code -2.5}, {@code +.5}, {@code 1e-3}. Not {@code 0x1p3}, {@code 1f} or {@code 1d}, which
 *       {@link Double#parseDouble} would take. Whether it fits a float is the reader's check.
 *   <li>{@code NaN}, {@code Inf} and {@code Infinity} (any case, signed) are {@linkplain #isNonFinite non-finite}:
 *       readers refuse them with a message of their own, not as "not a number".
 *   <li>An id is a decimal integer, {@code [+-]?\d+}: {@code 3}, {@code +3}, {@code -0}. Not {@code 3.0} or
 *       {@code 1e2}. Its range (from 0, below {@code num_embeddings}, within a {@code long}) is checked after
 *       {@link Long#parseLong}, which takes the same forms, so that {@code -1} is refused as out of range rather than
 *       as not an id.
 * </ul>
 *
 * The tests are loops rather than regular expressions because {@code connect.CsvRecordParser} runs them on every cell
 * of every Kafka record and {@code Pattern.matcher} allocates; {@code CsvNumbersTest} checks them against the
 * expressions above.
 */
public final class CsvNumbers {

    private CsvNumbers() {}

    /** True when {@code cell} is a decimal number (see the class comment). */
    public static boolean isDecimal(String cell) {
        int n = cell.length();
        int i = sign(cell, 0);
        int intDigits = digits(cell, i);
        i += intDigits;
        int fracDigits = 0;
        if (i < n && cell.charAt(i) == '.') {
            i++;
            fracDigits = digits(cell, i);
            i += fracDigits;
        }
        if (intDigits == 0 && fracDigits == 0) {
            return false;
        }
        if (i < n && (cell.charAt(i) == 'e' || cell.charAt(i) == 'E')) {
            i = sign(cell, i + 1);
            int expDigits = digits(cell, i);
            if (expDigits == 0) {
                return false;
            }
            i += expDigits;
        }
        return i == n;
    }

    /** True when {@code cell} is {@code NaN}, {@code Inf} or {@code Infinity}, in any case, with or without a sign. */
    public static boolean isNonFinite(String cell) {
        int i = sign(cell, 0);
        int rest = cell.length() - i;
        return rest == 3 && (asciiIgnoringCase(cell, i, "nan") || asciiIgnoringCase(cell, i, "inf"))
                || rest == 8 && asciiIgnoringCase(cell, i, "infinity");
    }

    /** True when {@code cell} is a decimal integer, {@code [+-]?\d+}: the only form of an id. */
    public static boolean isInteger(String cell) {
        int i = sign(cell, 0);
        int d = digits(cell, i);
        return d > 0 && i + d == cell.length();
    }

    /** The index after an optional {@code +} or {@code -} at {@code i}. */
    private static int sign(String s, int i) {
        return i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-') ? i + 1 : i;
    }

    /**
     * True when {@code s} holds the lower-case ASCII {@code word} at {@code i}, in any case. Not
     * {@link String#regionMatches(boolean, int, String, int, int)}, which folds Unicode case: it matches the dotless
     * {@code ı} to {@code i}.
     */
    private static boolean asciiIgnoringCase(String s, int i, String word) {
        for (int k = 0; k < word.length(); k++) {
            char c = s.charAt(i + k);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** How many ASCII digits start at {@code i}. */
    private static int digits(String s, int i) {
        int j = i;
        while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
            j++;
        }
        return j - i;
    }
}
