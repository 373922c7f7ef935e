package dev.lstmflink.report;

/**
 * A path's {@code d}, built point by point in tenths of a unit: "M x,y x,y ..." with a new "M" after a gap. Points
 * that round to the previous one are dropped, and so are the inner points of a horizontal run (a threshold that
 * holds for thousands of events is two points); a lone point between gaps gets "h0" so its round cap draws a dot.
 * Lines are most of a report's bytes, so the rules that keep them small, and the tenths every coordinate is written
 * in, live here in one place.
 */
final class Polyline {
    private final StringBuilder d = new StringBuilder();
    private boolean down;
    private int subPoints;
    private long lastX;
    private long lastY;
    private boolean pending;
    private long pendingX;
    private long pendingY;

    void point(double x, double y) {
        long xt = Math.round(x * 10);
        long yt = Math.round(y * 10);
        if (!down) {
            d.append('M');
            pair(xt, yt);
            lastX = xt;
            lastY = yt;
            down = true;
            subPoints = 1;
            return;
        }
        if (pending) {
            if (xt == pendingX && yt == pendingY) {
                return;
            }
            if (pendingY == lastY && yt == pendingY) {
                pendingX = xt;   // the run from the last point goes on: drop its inner point
                return;
            }
            emitPending();
        } else if (xt == lastX && yt == lastY) {
            return;
        }
        pending = true;
        pendingX = xt;
        pendingY = yt;
    }

    void gap() {
        if (!down) {
            return;
        }
        if (pending) {
            emitPending();
        }
        if (subPoints == 1) {
            d.append("h0");
        }
        down = false;
    }

    String finish() {
        gap();
        return d.toString();
    }

    private void emitPending() {
        d.append(' ');
        pair(pendingX, pendingY);
        lastX = pendingX;
        lastY = pendingY;
        pending = false;
        subPoints++;
    }

    private void pair(long xt, long yt) {
        appendTenths(d, xt);
        d.append(',');
        appendTenths(d, yt);
    }

    /** {@code v} rounded to tenths, without a trailing ".0": the precision of every SVG coordinate of a chart. */
    static StringBuilder tenths(StringBuilder sb, double v) {
        return appendTenths(sb, Math.round(v * 10));
    }

    private static StringBuilder appendTenths(StringBuilder sb, long t) {
        if (t < 0) {
            sb.append('-');
            t = -t;
        }
        sb.append(t / 10);
        if (t % 10 != 0) {
            sb.append('.').append(t % 10);
        }
        return sb;
    }
}
