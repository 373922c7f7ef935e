package dev.lstmflink.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The contents of a safetensors file: a string-to-string metadata map and named tensors. This is
 * the format {@code safetensors.torch.save_file} writes a PyTorch {@code state_dict} in, so
 * parameters trained in PyTorch can be served from Java and the other way round.
 *
 * <p>Layout (huggingface/safetensors): 8 bytes header length N (unsigned 64-bit little-endian),
 * N bytes of UTF-8 JSON {@code {"__metadata__": {...}, "name": {"dtype", "shape",
 * "data_offsets": [begin, end]}, ...}}, then the tensor bytes; offsets count from the first byte
 * after the header.
 *
 * <p>Reading validates every header field against the real sizes (see {@link SafetensorsReader});
 * any problem is a {@link SafetensorsFormatException}. Instances are immutable.
 */
public final class SafetensorsFile {
    /** The header key that holds the string metadata instead of a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * Largest file read or written: the whole file is held in one {@code byte[]}, and JVMs refuse
     * arrays slightly below {@code Integer.MAX_VALUE} elements.
     */
    public static final long MAX_FILE_SIZE = Integer.MAX_VALUE - 8;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The order the reference writer ({@code prepare()} in {@code tensor.rs}, used by
     * {@code safetensors.torch.save_file}) stores tensors in: by dtype, widest-aligned first, then by
     * name in UTF-8 byte order. With one dtype, as in a PyTorch float32 state_dict, that is simply
     * sorted-name order. It keeps every tensor aligned to its item size.
     */
    private static final Comparator<NamedTensor> WRITE_ORDER =
            Comparator.comparing(NamedTensor::dtype, Comparator.reverseOrder())
                    .thenComparing((a, b) -> Arrays.compareUnsigned(
                            a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8)));

    private final Map<String, String> metadata;
    private final List<NamedTensor> tensors;
    private final Map<String, NamedTensor> byName;

    private SafetensorsFile(Map<String, String> metadata, List<NamedTensor> tensors) {
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.tensors = List.copyOf(tensors);
        Map<String, NamedTensor> index = new LinkedHashMap<>();
        for (NamedTensor t : tensors) {
            if (index.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        this.byName = Collections.unmodifiableMap(index);
    }

    /**
     * Builds a file from tensors, which are kept in the order {@link #write} stores them (see
     * {@link #tensors()}).
     *
     * @param metadata string metadata (e.g. {@code "format": "pt"}); insertion order is kept
     * @throws IllegalArgumentException if two tensors share a name or metadata has null keys or values
     */
    public static SafetensorsFile of(Map<String, String> metadata, Collection<NamedTensor> tensors) {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(tensors, "tensors");
        metadata.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("metadata key and value must not be null: " + k + " -> " + v);
            }
        });
        List<NamedTensor> sorted = new ArrayList<>(tensors);
        sorted.forEach(t -> Objects.requireNonNull(t, "tensor"));
        sorted.sort(WRITE_ORDER);
        return new SafetensorsFile(metadata, sorted);
    }

    /** Used by the reader: tensors already validated, unique and in file order. */
    static SafetensorsFile fromValidated(Map<String, String> metadata, List<NamedTensor> tensors) {
        return new SafetensorsFile(metadata, tensors);
    }

    /** Reads and validates a file; the whole file is loaded into memory. */
    public static SafetensorsFile read(Path path) throws IOException {
        return SafetensorsReader.read(path);
    }

    /**
     * As {@link #read(Path)}, refusing a file over {@code maxBytes} before reading it.
     *
     * @throws FileTooLargeException when the file is larger than {@code maxBytes}
     */
    public static SafetensorsFile read(Path path, long maxBytes) throws IOException {
        return SafetensorsReader.read(SafetensorsReader.readBytes(path, maxBytes), path.toString());
    }

    /**
     * Parses a complete file held in memory. The array is not kept.
     *
     * @param sourceName names the data in error messages, e.g. the path or URL it came from
     *     ({@code "<bytes>"} if null)
     */
    public static SafetensorsFile read(byte[] bytes, String sourceName) throws SafetensorsFormatException {
        Objects.requireNonNull(bytes, "bytes");
        return SafetensorsReader.read(bytes, sourceName == null ? "<bytes>" : sourceName);
    }

    /** The {@code __metadata__} map (empty if absent), unmodifiable, in header order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * All tensors in file order, i.e. by position of their bytes. Files written by {@link #write}
     * or by PyTorch list them sorted by name (within one dtype); {@link #of} uses that order too.
     */
    public List<NamedTensor> tensors() {
        return tensors;
    }

    public Optional<NamedTensor> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Tensor names in {@link #tensors()} order, unmodifiable. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Writes the file as {@link #toBytes()} does, replacing any existing file. */
    public void write(Path path) throws IOException {
        Files.write(path, toBytes());
    }

    /**
     * Serializes like the reference writer, so PyTorch and the Rust/Python tooling can load it:
     * {@code __metadata__} first (omitted when empty), then tensors in the reference order (by
     * dtype, widest first, then by name) with contiguous offsets, and the JSON padded with spaces
     * to a multiple of 8 bytes so the data starts 8-byte aligned.
     *
     * @throws IllegalStateException if the header would exceed 100 MiB or the file
     *     {@link #MAX_FILE_SIZE}: {@link #read(Path)} would refuse such a file
     */
    public byte[] toBytes() {
        List<NamedTensor> order = new ArrayList<>(tensors);
        order.sort(WRITE_ORDER);
        ObjectNode header = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (NamedTensor t : order) {
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize safetensors header", e);
        }
        long padded = (json.length + 7L) / 8 * 8;
        long total = 8 + padded + offset;
        if (padded > SafetensorsReader.MAX_HEADER_SIZE) {
            throw new IllegalStateException("safetensors header would be " + padded + " bytes, over the limit of "
                    + SafetensorsReader.MAX_HEADER_SIZE);
        }
        if (total > MAX_FILE_SIZE) {
            throw new IllegalStateException("safetensors file would be " + total + " bytes, over the limit of "
                    + MAX_FILE_SIZE);
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (long i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (NamedTensor t : order) {
            out.put(t.rawBytes());
        }
        return out.array();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + tensors.size() + " tensors, metadata " + metadata.keySet() + "]";
    }
}
