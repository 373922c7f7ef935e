package dev.lstmflink.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What every HTML report of the project has in common, so that {@code report.html} ({@link ReportHtml}) and
 * {@code training-report.html} ({@code cli.TrainingReport}) open, escape and close a page the same way: the document
 * skeleton (doctype, UTF-8, viewport, title, one inline style sheet, body), the escaping of text, the styles of the
 * detection report's page elements, and an all-or-nothing write.
 *
 * <p>A page built here is self-contained (no script, no external style, font or image, so it opens offline and from a
 * mail attachment) and, as long as its caller writes XML-style markup ({@code <br/>}, no named entities), well-formed
 * XML, which the tests use to parse it.
 */
public final class HtmlPage {

    /**
     * The styles of {@link ReportHtml}'s page: cards, summary, table of contents, notes. The chart's own styles are
     * {@link Chart#CSS}.
     */
    static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f5f8;\
            color:#1f2328}
            main{max-width:1140px;margin:0 auto;padding:16px 20px 40px}
            h1{font-size:20px;font-weight:600;margin:8px 0 14px}
            h2{font-size:15px;font-weight:600;margin:0 0 2px;word-break:break-all}
            .card{background:#fff;border:1px solid #dcdfe5;border-radius:4px;padding:12px 16px;margin:0 0 16px}
            .card h3{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#6b7280;\
            margin:0 0 8px}
            pre.summary{margin:0;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
            white-space:pre-wrap;word-break:break-word}
            table.toc{border-collapse:collapse;font-size:13px;width:100%}
            .toc th,.toc td{padding:4px 10px;border-bottom:1px solid #eceef2;text-align:right;white-space:nowrap}
            .toc th{color:#6b7280;font-weight:600;font-size:12px}
            .toc .k{text-align:left;white-space:normal;word-break:break-all}
            .toc a{color:#3274d9;text-decoration:none}
            .toc a:hover{text-decoration:underline}
            .hot{color:#e02f44;font-weight:600}
            .meta{color:#6b7280;font-size:12px;margin:0 0 6px}
            .note{color:#6b7280;font-size:12px}
            """;

    private HtmlPage() {}

    /** Opens the page up to and including {@code <body>}; {@code css} is the whole style sheet, lines ending in \n. */
    public static StringBuilder begin(StringBuilder h, String title, String css) {
        return h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(esc(title)).append("</title>\n<style>\n").append(css).append("</style>\n</head>\n<body>\n");
    }

    /** Closes what {@link #begin} opened. */
    public static StringBuilder end(StringBuilder h) {
        return h.append("</body>\n</html>\n");
    }

    /**
     * Text for HTML and XML, null as empty: the five special characters as references, and characters XML does not
     * allow (controls, lone surrogates, U+FFFE/U+FFFF) as U+FFFD.
     */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c)
                            || c == '\uFFFE' || c == '\uFFFF') {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * Writes a page as UTF-8, creating its folder when needed; the file is replaced whole (written beside it, then
     * moved), so a reader never sees half a page.
     */
    static void write(Path file, String html) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
