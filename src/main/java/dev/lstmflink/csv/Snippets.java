package dev.lstmflink.csv;

/**
 * Shortened quotations of record content for error messages and dead-letter details: a message must name the offending
 * value, but a 1 MB key must not make a 1 MB message. Here, below every reader, so that the CSV reader's errors and the
 * record parsers' dead letters quote alike.
 */
public final class Snippets {

    public static final int MAX = 60;

    private Snippets() {}

    /** {@code "text"} with control characters escaped, cut to {@code max} characters with an ellipsis. */
    public static String quote(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8).append('"');
        int n = Math.min(s.length(), max);
        if (n < s.length() && n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--; // do not cut a surrogate pair in half
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !validPairAt(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
        if (s.length() > max) {
            b.append("... (").append(s.length()).append(" characters)");
        }
        return b.toString();
    }

    /** {@code s} unquoted, cut to {@code max} characters: for numbers, which need no quotes but may be long. */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "... (" + s.length() + " characters)";
    }

    public static String quote(String s) {
        return quote(s, MAX);
    }

    private static boolean validPairAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
