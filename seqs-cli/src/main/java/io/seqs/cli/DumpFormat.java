package io.seqs.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * The dump formats {@code dump} writes and {@code load} reads.
 *
 * <p>Binary (big-endian): the magic {@code SEQSDMP1}; per record a 4-byte key length (1..65,535),
 * a 4-byte value length, the key, the value; then the end marker: a key length of -1, the
 * 8-byte record count and the 4-byte CRC32C of every byte after the magic and before the marker.
 * A dump without its end marker was cut, and {@code load} says so.
 *
 * <p>JSON lines: one object per record, {@code {"key":"…","value":"…"}} with the UTF-8 text of
 * each, or {@code "key_base64"} / {@code "value_base64"} for bytes that are not valid UTF-8.
 */
public final class DumpFormat {
    /** First bytes of a binary dump. */
    public static final byte[] MAGIC = "SEQSDMP1".getBytes(StandardCharsets.US_ASCII);

    private static final int END = -1;

    private DumpFormat() {}

    /** Writes one format. */
    public interface Writer extends AutoCloseable {
        /** Writes a record. @param key key @param value value @throws IOException on write failure */
        void write(byte[] key, byte[] value) throws IOException;

        /** Writes the end (binary: the marker, count and CRC) and flushes. @throws IOException on write failure */
        @Override
        void close() throws IOException;
    }

    /** Receives records read from a dump. */
    @FunctionalInterface
    public interface Sink {
        /** @param key key @param value value */
        void accept(byte[] key, byte[] value);
    }

    /**
     * A binary dump writer.
     *
     * @param out the stream (not closed)
     * @return the writer
     * @throws IOException on write failure
     */
    public static Writer binary(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        CRC32C crc = new CRC32C();
        long[] count = {0};
        return new Writer() {
            @Override
            public void write(byte[] key, byte[] value) throws IOException {
                byte[] lengths = java.nio.ByteBuffer.allocate(8)
                        .putInt(key.length)
                        .putInt(value.length)
                        .array();
                crc.update(lengths);
                crc.update(key);
                crc.update(value);
                data.write(lengths);
                data.write(key);
                data.write(value);
                count[0]++;
            }

            @Override
            public void close() throws IOException {
                data.writeInt(END);
                data.writeLong(count[0]);
                data.writeInt((int) crc.getValue());
                data.flush();
            }
        };
    }

    /**
     * A JSON-lines writer.
     *
     * @param out the stream (not closed)
     * @return the writer
     */
    public static Writer jsonLines(OutputStream out) {
        java.io.Writer w =
                new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        return new Writer() {
            @Override
            public void write(byte[] key, byte[] value) throws IOException {
                w.write('{');
                field(w, "key", key);
                w.write(',');
                field(w, "value", value);
                w.write("}\n");
            }

            @Override
            public void close() throws IOException {
                w.flush();
            }
        };
    }

    private static void field(java.io.Writer w, String name, byte[] bytes) throws IOException {
        String text = Codec.utf8OrNull(bytes);
        if (text != null) {
            w.write(Json.string(name) + ":" + Json.string(text));
        } else {
            w.write(Json.string(name + "_base64") + ":"
                    + Json.string(Base64.getEncoder().encodeToString(bytes)));
        }
    }

    /**
     * Reads a dump of either format (told apart by the magic) into {@code sink}.
     *
     * @param in the stream, buffered by the caller
     * @param sink receives each record
     * @return records read
     * @throws IOException when the stream fails
     * @throws CliException when the dump is malformed or cut
     */
    public static long read(InputStream in, Sink sink) throws IOException {
        in.mark(MAGIC.length);
        byte[] head = in.readNBytes(MAGIC.length);
        if (java.util.Arrays.equals(head, MAGIC)) {
            return readBinary(new DataInputStream(in), sink);
        }
        in.reset();
        return JsonLines.read(in, sink);
    }

    private static long readBinary(DataInputStream in, Sink sink) throws IOException {
        CRC32C crc = new CRC32C();
        long count = 0;
        try {
            while (true) {
                int keyLength = in.readInt();
                if (keyLength == END) {
                    long expected = in.readLong();
                    int expectedCrc = in.readInt();
                    if (expected != count || expectedCrc != (int) crc.getValue()) {
                        throw new CliException(
                                ExitCode.FAILED,
                                "dump end marker says " + expected + " records and CRC32C "
                                        + Integer.toHexString(expectedCrc) + "; read " + count + " records, CRC32C "
                                        + Long.toHexString(crc.getValue()));
                    }
                    return count;
                }
                int valueLength = in.readInt();
                if (keyLength < 1 || keyLength > 65_535 || valueLength < 0 || valueLength > (64 << 20)) {
                    throw new CliException(
                            ExitCode.FAILED,
                            "dump record " + count + ": key length " + keyLength + ", value length " + valueLength
                                    + " out of range");
                }
                byte[] key = in.readNBytes(keyLength);
                byte[] value = in.readNBytes(valueLength);
                if (key.length != keyLength || value.length != valueLength) {
                    throw new EOFException();
                }
                crc.update(java.nio.ByteBuffer.allocate(8)
                        .putInt(keyLength)
                        .putInt(valueLength)
                        .array());
                crc.update(key);
                crc.update(value);
                sink.accept(key, value);
                count++;
            }
        } catch (EOFException e) {
            throw new CliException(
                    ExitCode.FAILED, "dump ends without its end marker after " + count + " records: it was cut");
        }
    }
}
