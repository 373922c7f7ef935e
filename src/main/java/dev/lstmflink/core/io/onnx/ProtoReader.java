package dev.lstmflink.core.io.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A reader of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) over one message's bytes:
 * tags, varints, fixed 32/64-bit values and length-delimited fields. Every length is checked against the bytes that
 * remain, so a crafted file fails with a message instead of reading past its end or allocating what it claims.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private final byte[] buf;
    private final String source;
    private int pos;
    private final int end;
    private int tag;

    ProtoReader(byte[] buf, int off, int end, String source) {
        this.buf = buf;
        this.pos = off;
        this.end = end;
        this.source = source;
    }

    /** Moves to the next field; false at the end of the message. */
    boolean next() throws OnnxFormatException {
        if (pos >= end) {
            return false;
        }
        long t = varint();
        if (t >>> 32 != 0 || (t >>> 3) == 0) {
            throw fail("invalid field tag " + t);
        }
        tag = (int) t;
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long varint() throws OnnxFormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw fail("truncated varint");
            }
            byte b = buf[pos++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw fail("varint longer than 10 bytes");
    }

    int fixed32() throws OnnxFormatException {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long fixed64() throws OnnxFormatException {
        long lo = fixed32() & 0xffffffffL;
        long hi = fixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** A length-delimited field's sub-message, as a reader over its bytes (this reader moves past it). */
    ProtoReader message() throws OnnxFormatException {
        int len = length();
        ProtoReader r = new ProtoReader(buf, pos, pos + len, source);
        pos += len;
        return r;
    }

    byte[] bytes() throws OnnxFormatException {
        int len = length();
        byte[] b = new byte[len];
        System.arraycopy(buf, pos, b, 0, len);
        pos += len;
        return b;
    }

    String string() throws OnnxFormatException {
        int len = length();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Skips the current field, whatever its type. */
    void skip() throws OnnxFormatException {
        switch (wireType()) {
            case VARINT -> varint();
            case I64 -> {
                need(8);
                pos += 8;
            }
            case LEN -> {
                int len = length();  // reads the length first: `pos += length()` would add to the old pos
                pos += len;
            }
            case I32 -> {
                need(4);
                pos += 4;
            }
            default -> throw fail("field " + field() + " has unsupported wire type " + wireType());
        }
    }

    boolean atEnd() {
        return pos >= end;
    }

    OnnxFormatException fail(String problem) {
        return new OnnxFormatException(source, "malformed protobuf at byte " + pos + ": " + problem);
    }

    private int length() throws OnnxFormatException {
        if (wireType() != LEN) {
            throw fail("field " + field() + " has wire type " + wireType() + ", expected a length-delimited field");
        }
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw fail("field " + field() + " declares " + len + " bytes, but only " + (end - pos) + " remain");
        }
        return (int) len;
    }

    private void need(int n) throws OnnxFormatException {
        if (end - pos < n) {
            throw fail("truncated field " + field());
        }
    }
}
