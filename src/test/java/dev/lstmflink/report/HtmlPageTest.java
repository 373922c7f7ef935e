package dev.lstmflink.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The page skeleton and the escaping both reports use: text survives a round trip through an XML parser. */
class HtmlPageTest {

    @Test
    void escapesTheFiveSpecialCharacters() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
                HtmlPage.esc("<a href=\"x\">Tom & Jerry's</a>"));
        assertEquals("plain text, \u00e9t\u00e9 \u2013 \u03b5", HtmlPage.esc("plain text, \u00e9t\u00e9 \u2013 \u03b5"));
        assertEquals("", HtmlPage.esc(null));
        assertEquals("", HtmlPage.esc(""));
    }

    @Test
    void replacesWhatXmlDoesNotAllowAndKeepsWhatItDoes() {
        assertEquals("a\uFFFDb\uFFFDc", HtmlPage.esc("a\u0000b\u001bc"), "controls");
        assertEquals("tab\tnl\ncr\r", HtmlPage.esc("tab\tnl\ncr\r"), "the three allowed controls");
        assertEquals("\uFFFD x \uFFFD", HtmlPage.esc("\uD800 x \uDC00"), "lone surrogates");
        assertEquals("\uFFFD\uFFFD", HtmlPage.esc("\uFFFE\uFFFF"));
        assertEquals("\uD83D\uDE00", HtmlPage.esc("\uD83D\uDE00"), "a pair is one character (U+1F600) and stays");
    }

    @Test
    void aPageParsesAsXmlAndGivesItsTextBack(@TempDir Path dir) throws Exception {
        String title = "run <7> & \"co\" \u0007";
        StringBuilder h = HtmlPage.begin(new StringBuilder(), title, "p{color:red}\n");
        h.append("<p>").append(HtmlPage.esc("x < y\u0000")).append("<br/></p>\n");
        String page = HtmlPage.end(h).toString();
        assertTrue(page.startsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"), page);
        assertTrue(page.endsWith("</body>\n</html>\n"), page);

        Path file = dir.resolve("sub/page.html");
        HtmlPage.write(file, page);
        assertEquals(page, Files.readString(file, StandardCharsets.UTF_8));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(file)));
        assertEquals("run <7> & \"co\" \uFFFD", doc.getElementsByTagName("title").item(0).getTextContent());
        assertEquals("\np{color:red}\n", doc.getElementsByTagName("style").item(0).getTextContent());
        assertEquals("x < y\uFFFD", doc.getElementsByTagName("p").item(0).getTextContent());
    }
}
