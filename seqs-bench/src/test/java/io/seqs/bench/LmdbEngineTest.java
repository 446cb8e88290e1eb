package io.seqs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LMDB through {@link ForeignBufferProxy}, in the surefire JVM that denies {@code sun.misc.Unsafe}:
 * puts, gets (present, absent, empty, into a short buffer), a heap buffer refused, gets from many
 * threads, reset, reopen, and the proxy's key order.
 */
class LmdbEngineTest {
    private static final long MAP = LmdbEngine.mapBytes(1 << 20);

    @Test
    void putGetResetAndReopen(@TempDir Path dir) {
        ByteBuffer key = ByteBuffer.allocateDirect(64);
        ByteBuffer value = ByteBuffer.allocateDirect(4096);
        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        try (LmdbEngine e = new LmdbEngine(dir, Options.DurabilityClass.PROCESS, MAP)) {
            for (int i = 0; i < 1000; i++) {
                put(e, key, value, "k" + i, "value of " + i);
            }
            put(e, key, value, "empty", "");
            put(e, key, value, "k7", "seven, again");
            assertEquals(1001, e.keys());
            assertEquals("value of 999", get(e, key, dst, "k999"));
            assertEquals("seven, again", get(e, key, dst, "k7"));
            assertEquals("", get(e, key, dst, "empty"));
            assertNull(get(e, key, dst, "absent"));

            ByteBuffer heap = ByteBuffer.allocate(8);
            assertThrows(IllegalArgumentException.class, () -> e.put(heap, 4, value, 4));

            ByteBuffer small = ByteBuffer.allocateDirect(5);
            assertEquals(12, e.get(key, fill(key, "k7"), small));
            assertEquals("seven", string(small, 5));

            Map<String, Object> details = e.details();
            assertEquals(1001L, details.get("entries"));
            assertTrue((int) details.get("page_size") >= 4096, details.toString());
            assertNull(e.indexBytesPerKey());
            e.flush();
        }
        try (LmdbEngine e = new LmdbEngine(dir, Options.DurabilityClass.PROCESS, MAP)) {
            assertEquals("value of 3", get(e, key, dst, "k3"));
            e.reset();
            assertEquals(0, e.keys());
            assertNull(get(e, key, dst, "k3"));
            put(e, key, value, "k3", "after the reset");
            assertEquals("after the reset", get(e, key, dst, "k3"));
        }
    }

    @Test
    void getsFromManyThreadsWhileWriting(@TempDir Path dir) throws InterruptedException {
        try (LmdbEngine e = new LmdbEngine(dir, Options.DurabilityClass.PERIODIC, MAP)) {
            ByteBuffer key = ByteBuffer.allocateDirect(64);
            ByteBuffer value = ByteBuffer.allocateDirect(256);
            for (int i = 0; i < 100; i++) {
                put(e, key, value, "k" + i, "v" + i);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            // More threads over the test than there are reader slots in use at once: ended
            // threads' read transactions must be released, not piled up.
            for (int round = 0; round < 20; round++) {
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Thread th = new Thread(() -> readAll(e, failure));
                    threads.add(th);
                    th.start();
                }
                put(e, key, value, "round", "r" + round);
                for (Thread th : threads) {
                    th.join();
                }
            }
            assertNull(failure.get());
            assertTrue(
                    (int) e.details().get("reader_slots_high_water") <= 9,
                    e.details().toString());
        }
    }

    @Test
    void proxyOrdersKeysAsLmdbDoes() {
        assertTrue(ForeignBufferProxy.compareUnsigned(bytes(1, 2), bytes(1, 2)) == 0);
        assertTrue(ForeignBufferProxy.compareUnsigned(bytes(1), bytes(1, 0)) < 0);
        assertTrue(ForeignBufferProxy.compareUnsigned(bytes(0x7f), bytes(0x80)) < 0);
        assertTrue(ForeignBufferProxy.compareUnsigned(bytes(0xff, 0), bytes(0x01, 0xff)) > 0);
    }

    private static void readAll(LmdbEngine e, AtomicReference<Throwable> failure) {
        ByteBuffer key = ByteBuffer.allocateDirect(64);
        ByteBuffer dst = ByteBuffer.allocateDirect(256);
        try {
            for (int i = 0; i < 100; i++) {
                String v = get(e, key, dst, "k" + i);
                if (!("v" + i).equals(v)) {
                    throw new AssertionError("k" + i + " read as " + v);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static ByteBuffer bytes(int... b) {
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length);
        for (int x : b) {
            buf.put((byte) x);
        }
        return buf.flip();
    }

    private static int fill(ByteBuffer buf, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buf.clear();
        buf.put(b);
        return b.length;
    }

    private static void put(LmdbEngine e, ByteBuffer key, ByteBuffer value, String k, String v) {
        e.put(key, fill(key, k), value, fill(value, v));
    }

    private static String get(LmdbEngine e, ByteBuffer key, ByteBuffer dst, String k) {
        int n = e.get(key, fill(key, k), dst);
        return n < 0 ? null : string(dst, n);
    }

    private static String string(ByteBuffer buf, int n) {
        byte[] b = new byte[n];
        buf.get(0, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
