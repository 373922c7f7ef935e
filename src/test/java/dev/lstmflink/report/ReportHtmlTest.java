package dev.lstmflink.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report page, written for three keys: one with known windows and flags (two features, dynamic threshold), one
 * whose scores start NaN (warm-up, fixed threshold), and one of 100k events whose key is an HTML injection. The page is
 * parsed as XML and its elements are counted: nothing external, every key, every flag and window kept through the
 * downsampling, lines bounded, spikes kept.
 */
class ReportHtmlTest {

    static final long T0 = 1_709_251_200_000L;   // 2024-03-01T00:00:00Z
    static final String EVIL = "<script>alert('x')</script> & \"co\"";
    static final Pattern PAIR = Pattern.compile("(-?\\d+(?:\\.\\d)?),(-?\\d+(?:\\.\\d)?)");

    @TempDir
    static Path dir;

    static List<ReportSeries> series;
    static Path file;
    static String page;
    static Document doc;
    static XPath xpath;

    @BeforeAll
    static void writeReport() throws Exception {
        series = List.of(pump(), fan(), big());
        file = dir.resolve("out/report.html");
        ReportHtml.write(file, "Detections <run 7>",
                List.of("model: lstm-64.safetensors", "events: 108000", "odd text: \u0000 & <b>bold?</b> \uD800"),
                series);
        page = Files.readString(file, StandardCharsets.UTF_8);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setExpandEntityReferences(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)));
        xpath = XPathFactory.newInstance().newXPath();
    }

    /** Two features over 5000 one-minute steps, two known windows, flags inside and outside them. */
    static ReportSeries pump() {
        ReportSeries s = new ReportSeries("pump-1/bearing", 2).featureNames(List.of("temperature", "vibration"));
        Random r = new Random(1);
        for (int i = 0; i < 5000; i++) {
            float a = (float) Math.sin(i / 50.0) * 3 + 20 + (float) r.nextGaussian() * 0.1f;
            float b = (float) Math.cos(i / 30.0) + (i >= 3000 && i <= 3200 ? 4 : 0);
            float[] pred = i == 0 ? null : new float[] {a + 0.05f, b - 0.05f};
            boolean flag = (i >= 1002 && i <= 1010) || i == 1035 || (i >= 3050 && i <= 3060) || i == 4500;
            s.add(T0 + i * 60_000L, new float[] {a, b}, pred, i == 0 ? Double.NaN : flag ? 0.999 : r.nextDouble(),
                    i < 100 ? Double.NaN : 0.2 + 0.01 * (i / 500), i == 0 ? Double.NaN : r.nextDouble() * 0.1, flag);
        }
        s.addTruth(T0 + 1000 * 60_000L, T0 + 1040 * 60_000L, "spike");
        s.addTruth(T0 + 3000 * 60_000L, T0 + 3200 * 60_000L, "level shift");
        return s;
    }

    /** Fixed threshold (score units); no prediction, score, residual or threshold for the first 250 events. */
    static ReportSeries fan() {
        ReportSeries s = new ReportSeries("fan-2", 1, ReportSeries.ThresholdUnits.SCORE);
        Random r = new Random(2);
        for (int i = 0; i < 3000; i++) {
            float v = (float) r.nextGaussian();
            boolean warm = i >= 250;
            boolean flag = i == 2000 || i == 2500;
            s.add(T0 + i * 1000L, new float[] {v}, warm ? new float[] {v * 0.9f} : null,
                    warm ? (flag ? 1.0 : r.nextDouble() * 0.98) : Double.NaN, warm ? 0.99 : Double.NaN,
                    warm ? Math.abs(v * 0.1) : Double.NaN, flag);
        }
        return s;
    }

    /**
     * 100k one-second events, spikes of +50 and then -50 in one pixel (not flagged), a run of 50 flags in two pixels,
     * a 1-event window.
     */
    static ReportSeries big() {
        ReportSeries s = new ReportSeries(EVIL, 1);
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (Math.sin(i / 500.0) + r.nextGaussian() * 0.05);
            v = i == 77_777 ? 50f : i == 77_790 ? -50f : v;
            boolean flag = (i >= 10_000 && i < 10_050) || (i % 997 == 0 && i > 0);
            s.add(T0 + i * 1000L, new float[] {v}, new float[] {v + 0.01f}, flag ? 0.995 : r.nextDouble(),
                    i < 2000 ? Double.NaN : 0.3, Math.abs(r.nextGaussian() * 0.1), flag);
        }
        s.addTruth(T0 + 10_000_000L, T0 + 10_060_000L, "drift");
        s.addTruth(T0 + 55_555_000L, T0 + 55_555_000L, "glitch <1 px>");
        s.addTruth(T0 + 90_000_000L, T0 + 95_000_000L, "");
        return s;
    }

    @Test
    void isSelfContained() {
        String lower = page.toLowerCase(Locale.ROOT);
        for (String external : List.of("http:", "https:", "<script", "<link", "@import", "url(", " src=", "<img",
                "<iframe", "<object", "<embed", "//fonts")) {
            assertFalse(lower.contains(external), "the page must not load anything, found " + external);
        }
        assertTrue(page.startsWith("<!DOCTYPE html>"), page.substring(0, 40));
    }

    @Test
    void parsesAsXmlWithOneSectionPerKeyAndEveryKeyUnescapedBack() throws Exception {
        assertEquals("html", doc.getDocumentElement().getTagName());
        assertEquals("Detections <run 7>", text("/html/head/title"));
        for (int k = 0; k < series.size(); k++) {
            assertEquals(series.get(k).key(), text("//div[@id='key-" + k + "']/h2"), "key " + k);
            assertEquals(series.get(k).key(), text("//table[@class='toc']//a[@href='#key-" + k + "']"));
            assertEquals(1, count("//div[@id='key-" + k + "']//*[local-name()='svg']"));
        }
        assertEquals(3, count("//div[starts-with(@id,'key-')]"));
        assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
        assertTrue(text("//pre[@class='summary']").contains("odd text: \uFFFD & <b>bold?</b> \uFFFD"),
                text("//pre[@class='summary']"));
    }

    @Test
    void tableOfContentsCountsDetectionsAndWindowsHit() throws Exception {
        // columns: key, events, detected, known windows, windows detected, flags outside windows
        assertEquals(List.of("pump-1/bearing", "5000", "22", "2", "2 / 2", "1"), row(1));
        assertEquals(List.of("fan-2", "3000", "2", "0", "", "2"), row(2));
        ReportSeries big = series.get(2);
        // 50 flags in "drift", 5 multiples of 997 in the last window, none on the 1-event "glitch"
        assertEquals(List.of(EVIL, "100000", "150", "3", "2 / 3", "95"), row(3));
        assertEquals(150, big.anomalyCount());
    }

    @Test
    void everyFlagIsDrawnOnEveryPanelDespiteDownsampling() throws Exception {
        for (int k = 0; k < series.size(); k++) {
            ReportSeries s = series.get(k);
            String sec = "//div[@id='key-" + k + "']";
            Set<Long> expected = new TreeSet<>();
            for (int a = 0; a < s.anomalyCount(); a++) {
                expected.add(s.ts(s.anomalyIndex(a)));
            }
            NodeList circles = nodes(sec + "//*[@class='panel score']/*[local-name()='circle'][@class='flag']");
            Set<Long> drawn = new TreeSet<>();
            for (int i = 0; i < circles.getLength(); i++) {
                drawn.add(Long.parseLong(((Element) circles.item(i)).getAttribute("data-ts")));
            }
            assertEquals(s.anomalyCount(), circles.getLength(), "one circle per flag, key " + k);
            assertEquals(expected, drawn, "key " + k);
            String dots = text(sec + "//*[@class='panel values']/*[@class='flagdot']/@d");
            assertEquals(s.anomalyCount() * s.features(), occurrences(dots, "h0"), "a dot per flag and feature");
            for (String panel : List.of("values", "error")) {
                String rug = text(sec + "//*[@class='panel " + panel + "']/*[@class='rug']/@d");
                assertEquals(s.anomalyCount(), occurrences(rug, "M"), "a tick per flag on " + panel + ", key " + k);
            }
        }
        assertTrue(series.get(2).anomalyCount() > 100, "the big key has many flags");
    }

    @Test
    void everyKnownWindowIsShadedOnEveryPanelAndLabelled() throws Exception {
        ReportSeries big = series.get(2);
        String sec = "//div[@id='key-2']";
        for (String panel : List.of("values", "score", "error")) {
            NodeList rects = nodes(sec + "//*[@class='panel " + panel + "']/*[@class='truth']");
            assertEquals(big.truthCount(), rects.getLength(), panel);
            Element oneEvent = (Element) rects.item(1);
            assertTrue(Double.parseDouble(oneEvent.getAttribute("width")) >= 1, "a 1-event window stays visible");
            assertTrue(oneEvent.getTextContent().contains("glitch <1 px>"), oneEvent.getTextContent());
        }
        assertEquals(List.of("drift", "glitch <1 px>"), texts(sec + "//*[@class='tlabel']"));
        assertEquals(List.of("spike", "level shift"), texts("//div[@id='key-0']//*[@class='tlabel']"));
        assertEquals(0, count("//div[@id='key-1']//*[@class='truth']"));
    }

    @Test
    void longLinesAreDownsampledButKeepTheirExtremes() throws Exception {
        NodeList lines = nodes("//div[@id='key-2']//*[local-name()='path'][starts-with(@class,'line')]");
        assertTrue(lines.getLength() >= 5, "value, prediction, score, residual, threshold (+legend)");
        for (int i = 0; i < lines.getLength(); i++) {
            int pairs = pairs(((Element) lines.item(i)).getAttribute("d")).size();
            assertTrue(pairs <= 2 * Chart.BUCKETS + 2, "at most two points per pixel, got " + pairs);
        }
        // the unflagged spikes of +50 and -50 (the rest is within ±1.3) share a pixel: min/max keeps both, in order
        String value = text("//div[@id='key-2']//*[@class='panel values']/*[@class='line'][1]/@d");
        List<double[]> points = pairs(value);
        assertTrue(points.size() > 1.5 * Chart.BUCKETS, "two points in most pixels, got " + points.size());
        int top = -1;
        int bottom = -1;
        for (int i = 0; i < points.size(); i++) {
            double y = points.get(i)[1];
            if (y < 0.2 * Chart.SIGNAL_H) {
                assertEquals(-1, top, "one point near the top");
                top = i;
            }
            if (y > 0.8 * Chart.SIGNAL_H) {
                assertEquals(-1, bottom, "one point near the bottom");
                bottom = i;
            }
        }
        assertTrue(top >= 0 && bottom == top + 1, "+50 then -50, got points " + top + " and " + bottom);
        assertEquals(points.get(top)[0], points.get(bottom)[0], 0.2, "both in one pixel");
        // the threshold is 0.3 from event 2000 on: a horizontal run collapses to its two ends
        String threshold = text("//div[@id='key-2']//*[@class='panel error']/*[@class='line dash']/@d");
        assertEquals(2, pairs(threshold).size(), threshold);
    }

    @Test
    void warmUpNansBreakTheLinesAndNeverReachThePage() throws Exception {
        assertFalse(page.contains("NaN"));
        assertFalse(page.contains("Infinity"));
        // fan-2: score, threshold (score units, on the score panel) and prediction start at event 250 of 3000
        double x250 = 250 * (double) Chart.PLOT_W / 2999;
        for (String path : List.of("*[@class='panel score']/*[@class='line']",
                "*[@class='panel score']/*[@class='line dash']", "*[@class='panel values']/*[@class='line dash']")) {
            String d = text("//div[@id='key-1']//" + path + "/@d");
            assertEquals(x250, pairs(d).get(0)[0], 0.051, path);
        }
        assertEquals(0, count("//div[@id='key-1']//*[@class='panel error']/*[@class='line dash']"),
                "a score-unit threshold is not drawn with the residual");
        assertTrue(text("//div[@id='key-1']//*[@class='legend']").contains("threshold t (score)"));
        assertTrue(text("//div[@id='key-0']//*[@class='legend']").contains("threshold \u03b5 (smoothed error)"));
    }

    @Test
    void timeAxisHasDatesAndLegendNamesEverything() throws Exception {
        // key 0 spans 5000 minutes from 2024-03-01 00:00 UTC: ticks every 12 h, the date under the first of each day
        List<String> ticks = texts("//div[@id='key-0']//*[@class='time']");
        assertEquals("00:002024-03-01", ticks.get(0));   // "00:00" and, under it, the date
        assertEquals("12:00", ticks.get(1));
        assertEquals("00:002024-03-02", ticks.get(2));
        String legend = text("//div[@id='key-0']//*[@class='legend']");
        for (String item : List.of("temperature", "vibration", "prediction", "score", "residual", "known anomaly",
                "detected anomaly")) {
            assertTrue(legend.contains(item), item + " in " + legend);
        }
    }

    @Test
    void sizeStaysSmall() throws Exception {
        long bytes = Files.size(file);
        System.out.printf(Locale.ROOT, "report.html, 3 keys (5k, 3k, 100k events): %,d bytes%n", bytes);
        assertTrue(bytes < 600_000, "3 keys: " + bytes + " bytes");
        List<ReportSeries> ten = new ArrayList<>();
        Random r = new Random(4);
        for (int k = 0; k < 10; k++) {
            ReportSeries s = new ReportSeries("sensor-" + k, 1);
            for (int i = 0; i < 20_000; i++) {
                float v = (float) (Math.sin(i / 40.0) + r.nextGaussian() * 0.2);
                boolean flag = r.nextInt(200) == 0;
                s.add(T0 + i * 1000L, new float[] {v}, new float[] {v + (float) r.nextGaussian() * 0.1f},
                        r.nextDouble(), 0.2 + r.nextInt(3) * 0.01, Math.abs(r.nextGaussian()) * 0.1, flag);
            }
            s.addTruth(T0 + 5_000_000L, T0 + 5_100_000L, "spike");
            ten.add(s);
        }
        int size = ReportHtml.html("ten", List.of(), ten).getBytes(StandardCharsets.UTF_8).length;
        System.out.printf(Locale.ROOT, "report.html, 10 keys x 20k events (noisy, ~1000 flags): %,d bytes%n", size);
        assertTrue(size < 2_000_000, "10 keys x 20k events: " + size + " bytes");
    }

    @Test
    void eventsOutOfOrderDrawTheSameAsInOrder() {
        long[] order = {5, 1, 4, 0, 3, 2, 9, 7, 8, 6};
        ReportSeries sorted = new ReportSeries("k", 1);
        ReportSeries shuffled = new ReportSeries("k", 1);
        for (int i = 0; i < 10; i++) {
            sorted.add(T0 + i * 1000L, new float[] {i * i}, null, i / 10.0, 0.5, i, i == 7);
            long j = order[i];
            shuffled.add(T0 + j * 1000L, new float[] {j * j}, null, j / 10.0, 0.5, j, j == 7);
        }
        assertEquals(ReportHtml.html("t", List.of(), List.of(sorted)),
                ReportHtml.html("t", List.of(), List.of(shuffled)));
    }

    @Test
    void seriesRejectsWrongShapesNamingTheField() {
        ReportSeries s = new ReportSeries("k", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.add(T0, new float[] {1}, null, 0, 0, 0, false));
        assertTrue(e.getMessage().contains("values must have 2 entries") && e.getMessage().contains("got 1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.add(T0, new float[] {1, 2}, new float[3], 0, 0, 0,
                false));
        assertTrue(e.getMessage().contains("prediction"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.addTruth(T0, T0 - 1, "x"));
        assertTrue(e.getMessage().contains("endTs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReportSeries("k", 0));
        assertEquals(0, s.size());
    }

    @Test
    void seriesGrowsAndKeepsEveryEvent() {
        ReportSeries s = new ReportSeries("k", 3);
        for (int i = 0; i < 10_000; i++) {
            s.add(i, new float[] {i, -i, 2 * i}, i % 2 == 0 ? null : new float[] {1, 2, 3}, i, -i, 2 * i, i % 3 == 0);
        }
        assertEquals(10_000, s.size());
        assertEquals(3334, s.anomalyCount());
        assertEquals(9999, s.ts(9999));
        assertEquals(-9998f, s.value(9998, 1));
        assertTrue(Float.isNaN(s.prediction(9998, 2)));
        assertEquals(3f, s.prediction(9999, 2));
        assertEquals(-9999f, s.threshold(9999));
        assertEquals(9999, s.anomalyIndex(3333));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<String> row(int r) throws Exception {
        NodeList cells = nodes("//table[@class='toc']/tr[" + (r + 1) + "]/td");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(cells.item(i).getTextContent());
        }
        return out;
    }

    private static List<double[]> pairs(String d) {
        List<double[]> out = new ArrayList<>();
        Matcher m = PAIR.matcher(d);
        while (m.find()) {
            out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return out;
    }

    private static int occurrences(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    private static String text(String expr) throws Exception {
        return (String) xpath.evaluate(expr, doc, XPathConstants.STRING);
    }

    private static NodeList nodes(String expr) throws Exception {
        return (NodeList) xpath.evaluate(expr, doc, XPathConstants.NODESET);
    }

    private static int count(String expr) throws Exception {
        return nodes(expr).getLength();
    }

    private static List<String> texts(String expr) throws Exception {
        NodeList n = nodes(expr);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.getLength(); i++) {
            out.add(n.item(i).getTextContent());
        }
        return out;
    }
}
