package io.seqs.bench;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs one load phase against one engine: writer threads write while reader threads get, and the
 * calling thread samples progress, prints it, and times the phase up to the end of its final flush.
 *
 * <ul>
 *   <li><b>Bootstrap</b>: writer {@code w} of {@code W} puts records {@code w, w+W, w+2W, ...}
 *       at revision 0, each key written once. Readers get records already written: a writer
 *       publishes how many it has completed, and a reader picks one of those.
 *   <li><b>Incremental</b>: each writer does read-modify-writes of keys drawn with Zipfian skew
 *       (restricted to the keys {@code ≡ w mod W}, so that two writers never race on one key):
 *       get, bump the revision and change a few bytes, put back the same length. Readers get keys
 *       drawn with the same skew.
 * </ul>
 *
 * <p>Every get checks that the value carries the stamp of the requested record, so a wrong or
 * missing answer is counted, never silently timed.
 */
final class LoadPhase {
    enum Kind {
        BOOTSTRAP,
        INCREMENTAL,
        /** As INCREMENTAL, for longer, with the store's disk use sampled every second. */
        WEEK
    }

    /** The week phase samples the store's allocated bytes once in this many samples (every second). */
    private static final int DISK_SAMPLE_EVERY = 4;

    /** Counters per writer sit 16 longs (128 bytes) apart, so writers do not share cache lines. */
    private static final int STRIDE = 16;

    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long PRINT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Kind kind;
    private final Engine engine;
    private final RecordGenerator gen;
    private final ZipfianKeys zipf;
    private final long records;
    private final long operations;
    private final int writers;
    private final int readers;
    private final long readRate;
    private final long seed;
    private final IoCounters io;
    private final PrintStream out;
    private final long settleTimeoutMillis;

    /** Per writer: [w*STRIDE] operations completed, [w*STRIDE+1] logical bytes written. */
    private final AtomicLongArray progress;

    private final LatencyRecorder getLatency = new LatencyRecorder();
    private final LatencyRecorder putLatency = new LatencyRecorder();
    private final LatencyRecorder rmwGetLatency = new LatencyRecorder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopReaders;
    private volatile boolean abort;
    private final long[] readerCounts;

    LoadPhase(
            Kind kind,
            Engine engine,
            RecordGenerator gen,
            ZipfianKeys zipf,
            long records,
            long operations,
            Options o,
            IoCounters io,
            PrintStream out) {
        this.kind = kind;
        this.engine = engine;
        this.gen = gen;
        this.zipf = zipf;
        this.records = records;
        this.operations = operations;
        this.writers = o.writers;
        this.readers = o.readers;
        this.readRate = o.readRate;
        this.seed = o.seed;
        this.io = io;
        this.out = out;
        this.settleTimeoutMillis = o.settleTimeoutSeconds * 1000;
        this.progress = new AtomicLongArray(writers * STRIDE);
        this.readerCounts = new long[readers * 4];
    }

    // the load phase step by step: writers, sampled readers, the sampling loop
    @SuppressWarnings("checkstyle:MethodLength")
    PhaseResult run() throws InterruptedException {
        String label = kind.name().toLowerCase(Locale.ROOT);
        PhaseResult r = new PhaseResult(label);
        List<Thread> writerThreads = new ArrayList<>();
        List<Thread> readerThreads = new ArrayList<>();
        IoCounters.Snapshot ioStart = io.read();
        Long ownStart = engine.ownPhysicalBytes();
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            int id = w;
            Runnable body = kind == Kind.BOOTSTRAP ? () -> bootstrapWriter(id) : () -> incrementalWriter(id);
            writerThreads.add(start(engine.name() + "-writer-" + w, body));
        }
        for (int i = 0; i < readers; i++) {
            int id = i;
            readerThreads.add(start(engine.name() + "-reader-" + i, () -> reader(id)));
        }

        long nextSample = start + SAMPLE_NANOS;
        long nextPrint = start + PRINT_NANOS;
        long lastOps = 0;
        long lastBytes = 0;
        long lastTime = start;
        boolean writing = true;
        long flushStart = 0;
        int samples = 0;
        while (writing) {
            long now = System.nanoTime();
            if (now < nextSample) {
                LockSupport.parkNanos(Math.min(nextSample - now, SAMPLE_NANOS));
                continue;
            }
            nextSample += SAMPLE_NANOS;
            writing = alive(writerThreads) && failure.get() == null;
            now = System.nanoTime();
            long ops = sum(0);
            long bytes = sum(1);
            Histogram interval = getLatency.drain();
            putLatency.drain();
            rmwGetLatency.drain();
            double dt = (now - lastTime) / 1e9;
            double p99 = interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(99) / 1e3;
            r.timeline.add(new double[] {
                Json.round((now - start) / 1e9, 3),
                Json.round((ops - lastOps) / dt, 1),
                Json.round((bytes - lastBytes) / 1e6 / dt, 2),
                Json.round(p99, 2)
            });
            if (kind == Kind.WEEK && samples++ % DISK_SAMPLE_EVERY == 0) {
                r.diskTimeline.add(
                        new double[] {Json.round((now - start) / 1e9, 3), DiskUsage.allocatedBytes(engine.directory())
                        });
            }
            if (now >= nextPrint || !writing) {
                nextPrint = now + PRINT_NANOS;
                printProgress(label, now - start, ops, bytes, (ops - lastOps) / dt, p99);
            }
            lastOps = ops;
            lastBytes = bytes;
            lastTime = now;
        }
        for (Thread t : writerThreads) {
            t.join();
        }
        if (failure.get() == null) {
            flushStart = System.nanoTime();
            try {
                if (kind == Kind.BOOTSTRAP) {
                    engine.endBulkLoad();
                }
                engine.flush();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
        long end = System.nanoTime();
        stopReaders = true;
        for (Thread t : readerThreads) {
            t.join();
        }
        rethrow();
        r.io = io.read().minus(ioStart);
        r.seconds = (end - start) / 1e9;
        r.flushSeconds = (end - flushStart) / 1e9;
        r.records = sum(0);
        r.logicalBytes = sum(1);
        getLatency.drain();
        putLatency.drain();
        rmwGetLatency.drain();
        r.gets = getLatency.summary();
        r.puts = putLatency.summary();
        r.rmwGets = kind == Kind.BOOTSTRAP ? null : rmwGetLatency.summary();
        for (int i = 0; i < readers; i++) {
            r.reads += readerCounts[i * 4];
            r.getMisses += readerCounts[i * 4 + 1];
            r.getErrors += readerCounts[i * 4 + 2];
        }
        r.getMisses += sum(2);
        r.getErrors += sum(3);
        out.printf(
                Locale.ROOT,
                "%-14s %-11s done: %,d records in %.1f s (flush %.1f s) = %,.0f records/s, %,.1f MB/s; CPU %.1f "
                        + "s user + %.1f s system%n",
                engine.name(),
                label,
                r.records,
                r.seconds,
                r.flushSeconds,
                r.recordsPerSecond(),
                r.mbPerSecond(),
                r.io.cpuUserMillis() / 1000.0,
                r.io.cpuSystemMillis() / 1000.0);
        long other = r.io.otherCpuMillis();
        if (other >= 0 && other > 0.1 * r.seconds * 1000 * Runtime.getRuntime().availableProcessors()) {
            out.printf(
                    Locale.ROOT,
                    "%-14s %-11s note: the rest of the machine (other processes, kernel write-back) used %.1f "
                            + "CPU-s meanwhile, %.0f%% of its CPUs%n",
                    engine.name(),
                    label,
                    other / 1000.0,
                    100.0 * other / (r.seconds * 1000 * Runtime.getRuntime().availableProcessors()));
        }

        long settleStart = System.nanoTime();
        r.settled = engine.settle(settleTimeoutMillis);
        r.settleSeconds = (System.nanoTime() - settleStart) / 1e9;
        r.ioSettled = io.read().minus(ioStart);
        Long ownEnd = engine.ownPhysicalBytes();
        r.ownPhysicalBytes = ownStart == null || ownEnd == null ? null : ownEnd - ownStart;
        if (r.settleSeconds >= 0.5 || !r.settled) {
            out.printf(
                    Locale.ROOT,
                    "%-14s %-11s background compaction %s after %.1f s more%n",
                    engine.name(),
                    label,
                    r.settled ? "finished" : "still running (time-out)",
                    r.settleSeconds);
        }
        return r;
    }

    private void printProgress(String label, long elapsedNanos, long ops, long bytes, double rate, double p99) {
        out.printf(
                Locale.ROOT,
                "%-14s %-11s %6.1f s  %,13d / %,d  %,10.0f rec/s  %,8.1f MB written  get p99 %s%n",
                engine.name(),
                label,
                elapsedNanos / 1e9,
                ops,
                operations,
                rate,
                bytes / 1e6,
                Double.isNaN(p99) ? "-" : String.format(Locale.ROOT, "%.1f µs", p99));
    }

    // ------------------------------------------------------------------ workers

    private void bootstrapWriter(int w) {
        Buffers b = new Buffers(gen);
        long bytes = 0;
        long done = 0;
        try {
            for (long i = w; i < records && !abort; i += writers) {
                int kl = b.key(i);
                int vl = gen.value(i, 0, b.valueSegment);
                long t0 = System.nanoTime();
                engine.put(b.key, kl, b.value, vl);
                putLatency.record(System.nanoTime() - t0);
                bytes += kl + vl;
                done++;
                progress.lazySet(w * STRIDE + 1, bytes);
                progress.lazySet(w * STRIDE, done);
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void incrementalWriter(int w) {
        Buffers b = new Buffers(gen);
        SplittableRandom random = new SplittableRandom(RecordGenerator.mix(seed, 0x1000 + w));
        long quota = operations / writers + (w < operations % writers ? 1 : 0);
        long bytes = 0;
        long misses = 0;
        long errors = 0;
        try {
            for (long j = 0; j < quota && !abort; j++) {
                long i = zipf.next(random);
                i = i - i % writers + w;
                if (i >= records) {
                    i -= writers;
                }
                int kl = b.key(i);
                long t0 = System.nanoTime();
                int len = engine.get(b.key, kl, b.value);
                rmwGetLatency.record(System.nanoTime() - t0);
                if (len < 0) {
                    misses++;
                    len = gen.value(i, 0, b.valueSegment);
                } else if (!gen.stampMatches(i, b.valueSegment, len)) {
                    errors++;
                    len = gen.value(i, 0, b.valueSegment);
                }
                gen.modify(b.valueSegment, len, i * 31 + j);
                long t1 = System.nanoTime();
                engine.put(b.key, kl, b.value, len);
                putLatency.record(System.nanoTime() - t1);
                bytes += kl + len;
                progress.lazySet(w * STRIDE + 1, bytes);
                progress.lazySet(w * STRIDE, j + 1);
            }
            progress.set(w * STRIDE + 2, misses);
            progress.set(w * STRIDE + 3, errors);
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void reader(int id) {
        Buffers b = new Buffers(gen);
        SplittableRandom random = new SplittableRandom(RecordGenerator.mix(seed, 0x2000 + id));
        long perReaderRate = readRate <= 0 ? 0 : Math.max(1, readRate / readers);
        long reads = 0;
        long misses = 0;
        long errors = 0;
        long paceStart = System.nanoTime();
        long paced = 0;
        try {
            while (!stopReaders && !abort) {
                long i = kind == Kind.BOOTSTRAP ? writtenRecord(random) : zipf.next(random);
                if (i < 0) {
                    LockSupport.parkNanos(100_000); // nothing written yet
                    continue;
                }
                int kl = b.key(i);
                long t0 = System.nanoTime();
                int len = engine.get(b.key, kl, b.value);
                getLatency.record(System.nanoTime() - t0);
                reads++;
                if (len < 0) {
                    misses++;
                } else if (!gen.stampMatches(i, b.valueSegment, len)) {
                    errors++;
                }
                if (perReaderRate > 0 && (++paced & 31) == 0) {
                    long due = paceStart + paced * 1_000_000_000L / perReaderRate;
                    long now = System.nanoTime();
                    if (due > now) {
                        LockSupport.parkNanos(due - now);
                    } else if (now - due > 100_000_000L) {
                        // Fell far behind (the engine stalled): restart the schedule instead of bursting.
                        paceStart = now;
                        paced = 0;
                    }
                }
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            readerCounts[id * 4] = reads;
            readerCounts[id * 4 + 1] = misses;
            readerCounts[id * 4 + 2] = errors;
        }
    }

    /** A record some writer has completed, or -1 when none has. */
    private long writtenRecord(SplittableRandom random) {
        int w = random.nextInt(writers);
        long done = progress.get(w * STRIDE);
        if (done == 0) {
            return -1;
        }
        return w + random.nextLong(done) * writers;
    }

    private long sum(int field) {
        long s = 0;
        for (int w = 0; w < writers; w++) {
            s += progress.get(w * STRIDE + field);
        }
        return s;
    }

    private void fail(Throwable t) {
        failure.compareAndSet(null, t);
        abort = true;
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException(
                    engine.name() + " failed in the " + kind.name().toLowerCase(Locale.ROOT) + " phase: " + t, t);
        }
    }

    private static boolean alive(List<Thread> threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    private Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A worker's reusable direct buffers: a key and a value of the largest size. */
    static final class Buffers {
        final ByteBuffer key = ByteBuffer.allocateDirect(RecordGenerator.MAX_KEY_LENGTH);
        final ByteBuffer value;
        final MemorySegment valueSegment;
        private final byte[] keyBytes = new byte[RecordGenerator.MAX_KEY_LENGTH];
        private final RecordGenerator gen;

        Buffers(RecordGenerator gen) {
            this.gen = gen;
            this.value = ByteBuffer.allocateDirect(gen.maxValueLength());
            this.valueSegment = MemorySegment.ofBuffer(value);
        }

        /** Writes record {@code i}'s key into {@link #key}; returns its length. */
        int key(long i) {
            int n = gen.key(i, keyBytes);
            key.clear();
            key.put(keyBytes, 0, n);
            return n;
        }
    }
}
