package io.seqs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteResetReopen() {
        try (Seqs s = Seqs.builder(dir).segmentSize(64 << 10).open()) {
            assertEquals(1, s.epoch());
            assertNull(s.get(b("a")));
            s.put(b("a"), b("1"));
            s.put(b("b"), b("2"));
            s.put(b("a"), b("3"));
            assertArrayEquals(b("3"), s.get(b("a")));
            assertTrue(s.delete(b("b")));
            assertFalse(s.delete(b("b")));
            assertNull(s.get(b("b")));
            for (int i = 0; i < 20_000; i++) {
                s.put(b("k" + i), new byte[i % 300]);
            }
            System.out.println(s.stats());
        }
        try (Seqs s = Seqs.open(dir)) {
            assertArrayEquals(b("3"), s.get(b("a")));
            assertNull(s.get(b("b")));
            assertEquals(299 % 300, s.get(b("k299")).length);
            s.resetEpoch();
            assertEquals(2, s.epoch());
            assertNull(s.get(b("a")));
            s.put(b("z"), b("9"));
        }
        try (Seqs s = Seqs.open(dir)) {
            assertEquals(2, s.epoch());
            assertNull(s.get(b("a")));
            assertArrayEquals(b("9"), s.get(b("z")));
            System.out.println(s.stats());
        }
    }
}
