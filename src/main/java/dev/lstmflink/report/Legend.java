package dev.lstmflink.report;

import static dev.lstmflink.report.HtmlPage.esc;
import static dev.lstmflink.report.Polyline.tenths;

import java.util.ArrayList;
import java.util.List;

/**
 * The legend along the top of a {@link Chart}: a sample and a label per item, left to right, wrapped into rows of the
 * plot's width. Its own class because the chart must know how many rows the legend takes before it draws anything
 * (they set the panels' offset), and both the count and the drawing come from one layout.
 */
final class Legend {

    static final int ROW = 18;

    private final double width;
    /** {kind ("line", "dash", "truth" or "flag"), colour, label} per item. */
    private final List<String[]> items = new ArrayList<>();

    /** A legend whose rows are at most {@code width} units wide. */
    Legend(double width) {
        this.width = width;
    }

    /** An item whose sample is a line, dashed or not, in {@code colour}. */
    Legend line(String colour, String label, boolean dashed) {
        items.add(new String[] {dashed ? "dash" : "line", colour, label});
        return this;
    }

    /** An item whose sample is a shaded known window. */
    Legend truth(String label) {
        items.add(new String[] {"truth", "", label});
        return this;
    }

    /** An item whose sample is a flag's circle. */
    Legend flag(String label) {
        items.add(new String[] {"flag", "", label});
        return this;
    }

    /** {x, row} of each item, then {0, number of rows}. */
    private double[][] layout() {
        double[][] at = new double[items.size() + 1][];
        double x = 0;
        int row = 0;
        for (int n = 0; n < items.size(); n++) {
            double w = 26 + items.get(n)[2].length() * Chart.CHAR_W + 16;
            if (x > 0 && x + w > width) {
                row++;
                x = 0;
            }
            at[n] = new double[] {x, row};
            x += w;
        }
        at[items.size()] = new double[] {0, row + 1};
        return at;
    }

    int rows() {
        return (int) layout()[items.size()][1];
    }

    /** Appends the legend as a group starting at ({@code left}, 4). */
    void draw(StringBuilder g, int left) {
        double[][] at = layout();
        g.append("<g class=\"legend\" transform=\"translate(").append(left).append(",4)\">\n");
        for (int n = 0; n < items.size(); n++) {
            String[] it = items.get(n);
            double x = at[n][0];
            int cy = (int) at[n][1] * ROW + 9;
            String px = tenths(new StringBuilder(), x).toString();
            String px2 = tenths(new StringBuilder(), x + 20).toString();
            switch (it[0]) {
                case "line", "dash" -> g.append("<path class=\"line").append(it[0].equals("dash") ? " dash" : "")
                        .append("\" stroke=\"").append(it[1]).append("\" stroke-width=\"2\" d=\"M").append(px)
                        .append(',').append(cy).append('H').append(px2).append("\"/>");
                case "truth" -> g.append("<rect class=\"truth\" x=\"").append(px).append("\" y=\"").append(cy - 6)
                        .append("\" width=\"20\" height=\"12\"/>");
                default -> g.append("<circle class=\"flag\" cx=\"").append(tenths(new StringBuilder(), x + 10))
                        .append("\" cy=\"").append(cy).append("\" r=\"3.5\"/>");
            }
            g.append("<text x=\"").append(tenths(new StringBuilder(), x + 26)).append("\" y=\"").append(cy + 4)
                    .append("\">").append(esc(it[2])).append("</text>\n");
        }
        g.append("</g>\n");
    }
}
