package dev.lstmflink.jobs.detect;

/** CSV cells as RFC 4180 writes them. */
final class Csv {

    private Csv() {}

    /** Quoted when it holds a comma, a quote or a line break; null is an empty cell. */
    static String cell(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** NaN is an empty cell. */
    static String number(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
