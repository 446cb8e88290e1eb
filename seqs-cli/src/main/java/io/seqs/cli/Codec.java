package io.seqs.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** Keys and values as text: UTF-8, hex or base64 in, raw, hex dump or JSON fields out. */
public final class Codec {
    /** How a key is written on the command line. */
    public enum Encoding {
        /** The key's bytes are the argument's UTF-8 bytes. */
        utf8,
        /** Two hex digits per byte. */
        hex,
        /** Standard base64. */
        base64
    }

    private Codec() {}

    /**
     * Decodes a key argument.
     *
     * @param text the argument
     * @param encoding how it is written
     * @return the key's bytes
     * @throws CliException (usage) when the text is not valid in that encoding
     */
    public static byte[] decode(String text, Encoding encoding) {
        try {
            return switch (encoding) {
                case utf8 -> text.getBytes(StandardCharsets.UTF_8);
                case hex -> HexFormat.of().parseHex(text);
                case base64 -> Base64.getDecoder().decode(text);
            };
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    ExitCode.USAGE, "key '" + text + "' is not valid " + encoding + ": " + e.getMessage());
        }
    }

    /**
     * The bytes as a string when they are valid UTF-8, else null.
     *
     * @param bytes the bytes
     * @return the text or null
     */
    public static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * A key for people: its UTF-8 text in quotes when printable, else "hex:" and its hex digits.
     *
     * @param bytes the key
     * @return the text
     */
    public static String display(byte[] bytes) {
        String s = utf8OrNull(bytes);
        if (s != null && s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            return Json.string(s);
        }
        return "hex:" + HexFormat.of().formatHex(bytes);
    }

    /**
     * A hex dump: offset, 16 bytes in hex, and their printable ASCII.
     *
     * @param bytes the bytes
     * @return the dump, one line per 16 bytes
     */
    public static String hexDump(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int line = 0; line < bytes.length; line += 16) {
            b.append(String.format("%08x ", line));
            StringBuilder ascii = new StringBuilder();
            for (int i = line; i < line + 16; i++) {
                if (i < bytes.length) {
                    b.append(String.format(" %02x", bytes[i] & 0xff));
                    ascii.append(bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char) bytes[i] : '.');
                } else {
                    b.append("   ");
                }
            }
            b.append("  |").append(ascii).append("|\n");
        }
        return b.toString();
    }
}
