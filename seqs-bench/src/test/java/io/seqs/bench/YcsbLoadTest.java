package io.seqs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YCSB-shaped load: keys and values as YCSB's core workload makes them, and a small run of
 * seqs and RocksDB that reads back every record it wrote and leaves no store behind. Nothing
 * about speed is asserted.
 */
class YcsbLoadTest {
    @Test
    void keysAreYcsbsHashedInsertOrder() {
        // YCSB's Utils.fnvhash64(1), worked out by hand from FNV-1a's published constants
        assertEquals(8517097267634966620L, YcsbLoad.fnvhash64(1));
        ByteBuffer key = ByteBuffer.allocate(32);
        int length = YcsbLoad.key(1, key);
        assertEquals("user8517097267634966620", new String(key.array(), 0, length, StandardCharsets.US_ASCII));
    }

    @Test
    void aValueIsTenNamedFieldsAndDiffersBetweenRecords() {
        assertEquals(1_140, YcsbLoad.VALUE_LENGTH);
        ByteBuffer a = ByteBuffer.allocate(YcsbLoad.VALUE_LENGTH);
        ByteBuffer b = ByteBuffer.allocate(YcsbLoad.VALUE_LENGTH);
        YcsbLoad.value(7, a);
        YcsbLoad.value(8, b);
        a.flip();
        for (int f = 0; f < YcsbLoad.FIELDS; f++) {
            byte[] name = new byte[a.getInt()];
            a.get(name);
            assertEquals("field" + f, new String(name, StandardCharsets.US_ASCII));
            assertEquals(YcsbLoad.FIELD_LENGTH, a.getInt());
            for (int i = 0; i < YcsbLoad.FIELD_LENGTH; i++) {
                byte c = a.get();
                assertTrue(c >= ' ' && c <= '~', "printable");
            }
        }
        assertFalse(a.hasRemaining());
        assertNotEquals(a.flip(), b.flip());
    }

    @Test
    @Timeout(120)
    void aSmallLoadOfBothEnginesReadsEveryRecordBack(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        YcsbLoad.run(
                new String[] {"ycsb-load", "--records", "3000", "--engines", "seqs,rocksdb", "--dir", tmp.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8));
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("seqs / rocksdb: "), log);
        Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(Files.readString(tmp.resolve("ycsb-load.json"))));
        for (String engine : new String[] {"seqs", "rocksdb"}) {
            Map<?, ?> r = assertInstanceOf(Map.class, root.get(engine), engine);
            assertEquals(3000.0, ((Number) r.get("verified_records")).doubleValue(), engine);
            assertTrue(((Number) r.get("records_per_s")).doubleValue() > 0, engine);
            assertFalse(Files.exists(tmp.resolve(engine)), engine + "'s store is deleted after its run");
        }
        assertTrue(((Number) root.get("seqs_vs_rocksdb")).doubleValue() > 0);
    }
}
