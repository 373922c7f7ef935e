package dev.lstmflink.connect;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Byte-level helpers shared by the parsers: strict UTF-8 decoding, UTF-8 lengths of strings (the size limit is on
 * bytes, whatever form the record arrived in), and the raw form a dead letter keeps (text when it is valid UTF-8,
 * base64 otherwise, cut to a limit for oversized records).
 */
final class RawForms {

    private RawForms() {}

    /** The text of valid UTF-8 bytes, or null when they are not (no replacement characters: we must know). */
    static String decodeUtf8(byte[] bytes, int length) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The number of bytes {@code s} takes in UTF-8, stopping early once it exceeds {@code limit}. */
    static long utf8Length(String s, long limit) {
        long n = 0;
        for (int i = 0; i < s.length() && n <= limit; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Sets {@code d}'s raw form from bytes, keeping at most {@code keep} of them. */
    static void setRaw(DeadLetter d, byte[] bytes, int keep) {
        int n = bytes.length;
        if (n > keep) {
            n = keep;
            // Do not cut a UTF-8 character in half (at most 3 continuation bytes), so valid text stays valid text.
            for (int back = 0; back < 3 && n > 0 && (bytes[n] & 0xC0) == 0x80; back++) {
                n--;
            }
            d.rawTruncated = true;
        }
        String text = decodeUtf8(bytes, n);
        if (text != null) {
            d.raw = text;
            d.rawEncoding = DeadLetter.ENCODING_UTF8;
        } else {
            d.raw = Base64.getEncoder().encodeToString(n == bytes.length ? bytes : Arrays.copyOf(bytes, n));
            d.rawEncoding = DeadLetter.ENCODING_BASE64;
        }
    }

    /** Sets {@code d}'s raw form from text, keeping at most {@code keep} bytes' worth of it. */
    static void setRaw(DeadLetter d, String text, int keep) {
        if (utf8Length(text, keep) <= keep) {
            d.raw = text;
        } else {
            // At most `keep` chars can fit in `keep` bytes: encode only that prefix, then cut at a character boundary.
            int chars = Math.min(text.length(), keep);
            if (chars > 0 && Character.isHighSurrogate(text.charAt(chars - 1))) {
                chars--;
            }
            byte[] prefix = text.substring(0, chars).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(prefix.length, keep);
            while (n > 0 && n < prefix.length && (prefix[n] & 0xC0) == 0x80) {
                n--;
            }
            d.raw = new String(prefix, 0, n, StandardCharsets.UTF_8);
            d.rawTruncated = true;
        }
        d.rawEncoding = DeadLetter.ENCODING_UTF8;
    }
}
