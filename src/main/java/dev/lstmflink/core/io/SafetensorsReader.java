package dev.lstmflink.core.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lstmflink.core.io.file.ModelBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates safetensors bytes. Everything that can be wrong with untrusted input is
 * checked before it is used as a size or an index, and reported as a
 * {@link SafetensorsFormatException} that names the source, the tensor and the value.
 *
 * <p>Each tensor entry is checked on its own by {@link TensorEntry#parse}; this class checks the
 * framing (length field, UTF-8, JSON, metadata) and that the entries tile the data buffer.
 *
 * <p>The checks follow the reference reader ({@code SafeTensors::read_metadata} and
 * {@code Metadata::validate} in huggingface/safetensors {@code safetensors/src/tensor.rs}), and are
 * stricter where the reference is lenient: unknown keys in a tensor entry and anything but spaces
 * after the JSON are errors here.
 */
final class SafetensorsReader {
    /** Largest header accepted; the reference limit (MAX_HEADER_SIZE) is 100_000_000 bytes. */
    static final long MAX_HEADER_SIZE = 100L << 20;

    /**
     * Header JSON parser. Duplicate keys are an error: JSON leaves them undefined and a lenient
     * parser would silently keep one of two tensors with the same name.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String source;

    private SafetensorsReader(String source) {
        this.source = source;
    }

    static SafetensorsFile read(Path path) throws IOException {
        return new SafetensorsReader(path.toString()).parse(readBytes(path, Long.MAX_VALUE));
    }

    /**
     * A file's bytes, refused before any is read when the file is over {@code maxBytes}, and after its first 8 bytes
     * when its header length field is impossible for its size; the rest is for {@link #read(byte[], String)}.
     *
     * @throws FileTooLargeException      when the file is larger than {@code maxBytes}
     * @throws SafetensorsFormatException when it is too short, its header length is impossible, or it is too large
     *                                    for one byte[]
     */
    static byte[] readBytes(Path path, long maxBytes) throws IOException {
        return ModelBytes.read(path, maxBytes, 8, (head, size) -> checkHead(path.toString(), head, size));
    }

    /**
     * The checks of {@link #readBytes} on a file's first 8 bytes (fewer when the file is shorter) and its size, made
     * before the rest is read: the declared header length is checked against the real size before we allocate
     * anything, so a crafted length cannot make us reserve gigabytes.
     */
    static void checkHead(String source, byte[] head, long size) throws SafetensorsFormatException {
        SafetensorsReader reader = new SafetensorsReader(source);
        reader.checkMinimumSize(size);
        if (head.length < 8) {
            throw reader.fail("file ended after " + head.length + " bytes while being read (was it truncated?)");
        }
        reader.checkHeaderLength(ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), size - 8);
        if (size > SafetensorsFile.MAX_FILE_SIZE) {
            throw reader.fail("file is " + size + " bytes; this reader holds a file in one byte[]"
                    + " and accepts at most " + SafetensorsFile.MAX_FILE_SIZE + " bytes");
        }
    }

    static SafetensorsFile read(byte[] bytes, String sourceName) throws SafetensorsFormatException {
        return new SafetensorsReader(sourceName).parse(bytes);
    }

    private SafetensorsFile parse(byte[] file) throws SafetensorsFormatException {
        checkMinimumSize(file.length);
        long declared = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(declared, file.length - 8L);
        int headerLength = (int) declared;
        int dataStart = 8 + headerLength;
        int bufferLength = file.length - dataStart;

        JsonNode root = parseHeaderJson(decodeUtf8(file, headerLength));
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorEntry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(SafetensorsFile.METADATA_KEY)) {
                readMetadata(field.getValue(), metadata);
            } else {
                entries.add(TensorEntry.parse(field.getKey(), field.getValue(), bufferLength, source));
            }
        }
        checkLayout(entries, bufferLength);

        List<NamedTensor> tensors = new ArrayList<>(entries.size());
        for (TensorEntry e : entries) {
            byte[] data = Arrays.copyOfRange(file, dataStart + e.begin(), dataStart + e.end());
            tensors.add(NamedTensor.trusted(e.name(), e.dtype(), e.shape(), e.count(), data));
        }
        return SafetensorsFile.fromValidated(metadata, tensors);
    }

    private void checkMinimumSize(long size) throws SafetensorsFormatException {
        if (size < 8) {
            throw fail("file is " + size + " bytes, shorter than the 8-byte header length field");
        }
    }

    /** The length is an unsigned 64-bit value; Java reads it signed, so "negative" means the top bit is set. */
    private void checkHeaderLength(long declared, long available) throws SafetensorsFormatException {
        String value = Long.toUnsignedString(declared);
        if (declared < 0) {
            throw fail("header length " + value + " has its top bit set; not a safetensors file or corrupt");
        }
        if (declared > MAX_HEADER_SIZE) {
            throw fail("header length " + value + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes (100 MiB)");
        }
        if (declared > available) {
            throw fail("header length " + value + " is larger than the " + available
                    + " bytes that follow the length field");
        }
    }

    /** Strict UTF-8: malformed bytes are an error, never silently replaced by U+FFFD. */
    private String decodeUtf8(byte[] file, int headerLength) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(file, 8, headerLength);
        CharBuffer out = CharBuffer.allocate(headerLength); // UTF-8 never yields more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw fail(String.format("header is not valid UTF-8: byte 0x%02X at header offset %d",
                    file[in.position()] & 0xFF, in.position() - 8));
        }
        return out.flip().toString();
    }

    /**
     * Parses the header JSON. The reference writer pads the header with spaces to a multiple of 8,
     * so trailing spaces are allowed; anything else after the object is reported.
     */
    private JsonNode parseHeaderJson(String text) throws SafetensorsFormatException {
        JsonNode root;
        int consumed;
        try (JsonParser parser = MAPPER.createParser(text)) {
            root = MAPPER.readTree(parser);
            consumed = (int) parser.currentLocation().getCharOffset();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at header offset " + at.getCharOffset();
            throw fail("header is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw fail("header could not be parsed: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw fail("header must be a JSON object but is " + (root == null ? "empty" : describe(root)));
        }
        for (int i = consumed; i < text.length(); i++) {
            if (text.charAt(i) != ' ') {
                throw fail("unexpected characters after the header JSON at header offset " + i + ": "
                        + quote(text.substring(i)));
            }
        }
        return root;
    }

    private void readMetadata(JsonNode node, Map<String, String> metadata) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw fail("__metadata__ must be an object of strings but is " + describe(node));
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw fail("__metadata__ value for key " + quote(field.getKey()) + " must be a string but is "
                        + describe(field.getValue()));
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    /**
     * Like the reference {@code Metadata::validate}: sorted by offsets, each tensor must start
     * where the previous one ended and the last must end at the end of the file, so no byte is
     * shared by two tensors and none is hidden between them. Sorts {@code entries} into file order.
     */
    private void checkLayout(List<TensorEntry> entries, int bufferLength) throws SafetensorsFormatException {
        entries.sort((a, b) -> a.begin() != b.begin()
                ? Integer.compare(a.begin(), b.begin()) : Integer.compare(a.end(), b.end()));
        int expected = 0;
        String previous = null;
        for (TensorEntry e : entries) {
            if (e.begin() < expected) {
                throw fail("tensor " + quote(e.name()) + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap tensor " + quote(previous) + ", which ends at " + expected);
            }
            if (e.begin() > expected) {
                throw fail("bytes [" + expected + ", " + e.begin() + ") of the data buffer belong to no tensor"
                        + " (hole before tensor " + quote(e.name()) + ")");
            }
            expected = e.end();
            previous = e.name();
        }
        if (expected != bufferLength) {
            throw fail("bytes [" + expected + ", " + bufferLength + ") at the end of the data buffer"
                    + " belong to no tensor"
                    + (previous == null ? " (the header lists no tensors)" : " (last tensor " + quote(previous) + ")"));
        }
    }

    private SafetensorsFormatException fail(String problem) {
        return new SafetensorsFormatException(source, problem);
    }

    private SafetensorsFormatException fail(String problem, Throwable cause) {
        return new SafetensorsFormatException(source, problem, cause);
    }

    /**
     * Quotes a name or text for a message: control characters JSON-escaped so they show, and cut
     * short so a hostile 50 MB key cannot flood the log.
     */
    static String quote(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return "'" + new String(JsonStringEncoder.getInstance().quoteAsString(shown)) + "'";
    }

    /** A JSON value for a message: small values verbatim, big containers summarised. */
    static String describe(JsonNode node) {
        if (node.isContainerNode() && node.size() > 8) {
            return (node.isArray() ? "an array of " : "an object with ") + node.size() + " entries";
        }
        String text = node.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
