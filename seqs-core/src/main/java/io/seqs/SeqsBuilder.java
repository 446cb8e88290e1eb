package io.seqs;

import io.seqs.internal.index.HashIndex;
import io.seqs.internal.store.Config;
import io.seqs.internal.store.StoreDirectory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options for {@link Seqs}. Every setter checks its argument and names the bad value; a builder
 * opens one store: once {@link #open()} has returned one, every further call throws
 * {@link IllegalStateException} (a failed open leaves it usable, to try again).
 *
 * {@snippet file="io/seqs/ApiExamplesTest.java" region="builder"}
 */
public final class SeqsBuilder {
    /** Most shards a store can have. */
    public static final int MAX_SHARDS = 1024;
    /** Smallest segment size: 64 KiB. */
    public static final long MIN_SEGMENT_SIZE = 64 << 10;
    /** Largest segment size: 1 GiB. */
    public static final long MAX_SEGMENT_SIZE = 1L << 30;
    /** Default segment size: 1 GiB. */
    public static final long DEFAULT_SEGMENT_SIZE = 1L << 30;
    /** Default time between background forces under {@link Durability#PERIODIC}: 1 s. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** Default time between background checkpoints: 30 s. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
    /** Free space kept on the file system beyond a reservation, when space cannot be allocated natively. */
    public static final long DEFAULT_FREE_SPACE_MARGIN = 64L << 20;
    /** How values are stored unless {@link #compression} says otherwise. */
    public static final Compression DEFAULT_COMPRESSION = Compression.NONE;
    /** Dead fraction past which a segment is rewritten, unless {@link #reclaimThreshold} says otherwise. */
    public static final double DEFAULT_RECLAIM_THRESHOLD = 0.5;
    /** Bytes per second reclamation copies at most per store, unless {@link #reclaimRate} says otherwise. */
    public static final long DEFAULT_RECLAIM_BYTES_PER_SECOND = 256L << 20;
    /** One get and one put in this many is timed for the latency figures. */
    public static final int DEFAULT_LATENCY_SAMPLE_EVERY = 32;
    /** Keys a shard's index can hold: its largest table at its highest load. */
    static final long MAX_KEYS_PER_SHARD = (long) (HashIndex.MAX_CAPACITY * HashIndex.MAX_LOAD_AT_MAX_CAPACITY);
    /** Keys a store can index: every shard's index full. */
    public static final long MAX_KEYS = MAX_SHARDS * MAX_KEYS_PER_SHARD;

    private final Path directory;
    private Path checkpointDirectory;
    private int shards;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private Durability durability = Durability.PERIODIC;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private long expectedKeys;
    private long freeSpaceMargin = DEFAULT_FREE_SPACE_MARGIN;
    private boolean verifyChecksums = true;
    private boolean readOnly;
    private Compression compression = DEFAULT_COMPRESSION;
    private double reclaimThreshold = DEFAULT_RECLAIM_THRESHOLD;
    private long reclaimBytesPerSecond = DEFAULT_RECLAIM_BYTES_PER_SECOND;
    private int latencySampleEvery = DEFAULT_LATENCY_SAMPLE_EVERY;
    private Object meterRegistry;
    private String metricsName;
    /** Set once {@link #open()} has returned a store; a failed open leaves the builder usable. */
    private boolean used;

    SeqsBuilder(Path directory) {
        this.directory = requireArgument(directory, "directory");
    }

    /**
     * Number of shards, a power of two up to {@value #MAX_SHARDS}. Each has its own log, index and
     * lock. Default: the smallest power of two at least twice the available processors, and at
     * least 8 (more when {@link #expectedKeys} needs them). Fixed when the store is created; an
     * existing store keeps its count, and asking for another one fails.
     *
     * @param n a power of two in 1..{@value #MAX_SHARDS}
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder shards(int n) {
        requireUnused();
        if (n < 1 || n > MAX_SHARDS || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("shards must be a power of two in 1.." + MAX_SHARDS + ", was " + n);
        }
        this.shards = n;
        return this;
    }

    /**
     * Size of each segment file, a multiple of 4096 in {@value #MIN_SEGMENT_SIZE}..
     * {@value #MAX_SEGMENT_SIZE}; default 1 GiB. A value larger than a segment gets a file of its
     * own. An existing store applies a new size from its next epoch on.
     *
     * @param bytes bytes per segment file, a multiple of 4096
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder segmentSize(long bytes) {
        requireUnused();
        if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE || bytes % 4096 != 0) {
            throw new IllegalArgumentException("segmentSize must be a multiple of 4096 in " + MIN_SEGMENT_SIZE + ".."
                    + MAX_SEGMENT_SIZE + ", was " + bytes);
        }
        this.segmentSize = bytes;
        return this;
    }

    /**
     * What a completed write survives; default {@link Durability#PERIODIC}.
     *
     * @param d what a completed write survives
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder durability(Durability d) {
        requireUnused();
        this.durability = requireArgument(d, "durability");
        return this;
    }

    /**
     * How often {@link Durability#PERIODIC} forces the log; default 1 s, at least 1 ms.
     *
     * @param d time between background forces, at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder flushInterval(Duration d) {
        requireUnused();
        requireArgument(d, "flushInterval");
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException("flushInterval must be at least 1 ms, was " + d);
        }
        this.flushInterval = d;
        return this;
    }

    /**
     * How often index checkpoints are written, bounding how much log recovery replays; default 30 s.
     * {@link Duration#ZERO} turns periodic checkpoints off ({@code checkpoint()} and {@code close()}
     * still write them).
     *
     * @param d time between background checkpoints; {@link Duration#ZERO} for none
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder checkpointInterval(Duration d) {
        requireUnused();
        requireArgument(d, "checkpointInterval");
        if (d.isNegative() || (!d.isZero() && d.toMillis() < 1)) {
            throw new IllegalArgumentException("checkpointInterval must be zero (off) or at least 1 ms, was " + d);
        }
        this.checkpointInterval = d;
        return this;
    }

    /**
     * Keys the store is expected to hold, to size the index up front and avoid rebuilds.
     *
     * @param n keys the store is expected to hold
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder expectedKeys(long n) {
        requireUnused();
        if (n < 0 || n > MAX_KEYS) {
            throw new IllegalArgumentException("expectedKeys must be in 0.." + MAX_KEYS + " (" + MAX_SHARDS
                    + " shards of " + MAX_KEYS_PER_SHARD + " keys), was " + n);
        }
        this.expectedKeys = n;
        return this;
    }

    /**
     * Where checkpoints are written, e.g. another device than the segments; default {@code <dir>/checkpoints}.
     *
     * @param dir where checkpoints are written
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder checkpointDirectory(Path dir) {
        requireUnused();
        this.checkpointDirectory = requireArgument(dir, "checkpointDirectory");
        return this;
    }

    /**
     * Free bytes to leave on the file system when creating a segment whose blocks cannot be
     * allocated up front (native access not enabled); default 64 MiB.
     *
     * @param bytes bytes to keep free
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder freeSpaceMargin(long bytes) {
        requireUnused();
        if (bytes < 0) {
            throw new IllegalArgumentException("freeSpaceMargin must be >= 0, was " + bytes);
        }
        this.freeSpaceMargin = bytes;
        return this;
    }

    /**
     * Opens the store without changing a byte on disk; default false. A read-only open takes a
     * shared lock (any number of read-only openers in other processes, or one writer), reports
     * damage it finds (in {@link SeqsStats} and a log line) instead of cutting it away, writes no
     * manifest, checkpoint or index file, and refuses {@code put}, {@code delete},
     * {@code write}, {@code resetEpoch} and {@code checkpoint} with {@link IllegalStateException}.
     * The directory must hold a store.
     *
     * @param readOnly true to open without changing the store
     * @return this builder
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder readOnly(boolean readOnly) {
        requireUnused();
        this.readOnly = readOnly;
        return this;
    }

    /**
     * How values are stored; default {@link Compression#NONE}. With LZ4 each value of at least 32
     * bytes is compressed and kept compressed when that makes its record smaller; gets
     * decompress it. LZ4 trades ingest speed for disk: on the benchmark's JSON-like values of about
     * 1 KiB it stores 1.46 times fewer bytes and halves the records a second a bootstrap takes
     * (see {@code docs/benchmarks.md}), so it is for stores whose disk budget binds before their
     * write rate does. The setting applies to what this open writes: a store may hold records of
     * both kinds and reads them all.
     *
     * @param c the compression of values written from now on
     * @return this builder
     * @throws IllegalArgumentException when the value is null
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder compression(Compression c) {
        requireUnused();
        this.compression = requireArgument(c, "compression");
        return this;
    }

    /**
     * Dead fraction past which a sealed segment is reclaimed; 0 turns reclamation off; default
     * 0.5. A background task copies the live records of such a segment to the log's tail and
     * deletes the file, so disk follows the live data within an epoch. It reads the segment's
     * live and dead bytes from exact running figures, gives way to puts (it copies in short turns
     * of the shard's lock and pauses while the shard is busy with ingest), and copies at most
     * {@link #reclaimRate} bytes per second.
     *
     * @param deadFraction 0 (never), or a fraction in 0.05..0.95
     * @return this builder
     * @throws IllegalArgumentException when the value is out of its range
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder reclaimThreshold(double deadFraction) {
        requireUnused();
        if (deadFraction != 0 && !(deadFraction >= 0.05 && deadFraction <= 0.95)) {
            throw new IllegalArgumentException("reclaimThreshold must be 0 or in 0.05..0.95, was " + deadFraction);
        }
        this.reclaimThreshold = deadFraction;
        return this;
    }

    /**
     * Most bytes per second reclamation copies, over the whole store; default 256 MiB.
     *
     * @param bytesPerSecond at least 1 MiB
     * @return this builder
     * @throws IllegalArgumentException when the value is below 1 MiB
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder reclaimRate(long bytesPerSecond) {
        requireUnused();
        if (bytesPerSecond < 1L << 20) {
            throw new IllegalArgumentException("reclaimRate must be at least 1 MiB/s, was " + bytesPerSecond);
        }
        this.reclaimBytesPerSecond = bytesPerSecond;
        return this;
    }

    /**
     * Whether every get checks the record's CRC32C; default true.
     *
     * @param verify true to check every record read
     * @return this builder
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder verifyChecksums(boolean verify) {
        requireUnused();
        this.verifyChecksums = verify;
        return this;
    }

    /**
     * Times one get and one put in {@code n} (a power of two up to 1024; 1 times every operation)
     * for the latency percentiles of {@link Seqs#stats()} and the {@code seqs.get}/{@code seqs.put}
     * timers. Default 32: enough samples for p99.9 under load at a cost that does not show.
     *
     * @param n a power of two in 1..1024
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder latencySampleEvery(int n) {
        requireUnused();
        if (n < 1 || n > 1024 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("latencySampleEvery must be a power of two in 1..1024, was " + n);
        }
        this.latencySampleEvery = n;
        return this;
    }

    /**
     * Registers the store's meters ({@code seqs.*}) in a Micrometer registry. Micrometer is an
     * optional dependency: without this call seqs runs with no Micrometer on the class path. On
     * the module path, an application that calls this requires {@code micrometer.core} itself.
     *
     * @param registry a Micrometer {@code MeterRegistry}
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    @SuppressWarnings("exports") // Micrometer is optional, so io.seqs does not require it transitively
    public SeqsBuilder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
        requireUnused();
        this.meterRegistry = requireArgument(registry, "meterRegistry");
        return this;
    }

    /**
     * The {@code name} tag of the store's meters; default the store directory's name.
     *
     * @param name the tag value, not blank
     * @return this builder
     * @throws IllegalArgumentException when the value is null or out of its range; the message names it
     * @throws IllegalStateException when this builder already opened a store
     */
    public SeqsBuilder metricsName(String name) {
        requireUnused();
        requireArgument(name, "metricsName");
        if (name.isBlank()) {
            throw new IllegalArgumentException("metricsName must not be blank");
        }
        this.metricsName = name;
        return this;
    }

    static int defaultShards(long expectedKeys) {
        int n = Integer.highestOneBit(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()) - 1) << 1;
        while (n < MAX_SHARDS && expectedKeys / n > MAX_KEYS_PER_SHARD / 2) {
            n <<= 1;
        }
        return n;
    }

    /**
     * Opens (creating or recovering) the store.
     *
     * @return the open store
     * @throws IllegalArgumentException when {@code expectedKeys} needs more shards than were asked for
     * @throws IllegalStateException when this builder already opened a store, or the store is
     *     open already, in this process or another
     * @throws SeqsException when the directory is neither empty nor a store, or the store cannot
     *     be read or created (see the cause)
     */
    public Seqs open() {
        requireUnused();
        int n = shards == 0 ? defaultShards(expectedKeys) : shards;
        if (expectedKeys / n > MAX_KEYS_PER_SHARD) {
            // only an explicit shard count can be too small: the default grows with expectedKeys
            throw new IllegalArgumentException("expectedKeys " + expectedKeys + " over " + n + " shards exceeds "
                    + MAX_KEYS_PER_SHARD + " keys per shard; ask for at least " + shardsFor(expectedKeys) + " shards");
        }
        Path dir = directory.toAbsolutePath();
        Path ckpt = checkpointDirectory == null
                ? dir.resolve(StoreDirectory.DEFAULT_CHECKPOINT_DIR)
                : checkpointDirectory.toAbsolutePath();
        String name = metricsName != null ? metricsName : String.valueOf(dir.getFileName());
        Config config = new Config(
                dir,
                ckpt,
                n,
                shards != 0,
                segmentSize,
                durability,
                flushInterval,
                checkpointInterval,
                expectedKeys,
                freeSpaceMargin,
                verifyChecksums,
                latencySampleEvery,
                meterRegistry,
                name,
                readOnly,
                compression,
                reclaimThreshold,
                reclaimBytesPerSecond);
        Seqs store = Seqs.open(config);
        used = true;
        return store;
    }

    /** The null policy of the whole API: a null argument is an {@link IllegalArgumentException} naming it. */
    private static <T> T requireArgument(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        return value;
    }

    private void requireUnused() {
        if (used) {
            throw new IllegalStateException(
                    "this builder already opened a store; make a new one with Seqs.builder(dir)");
        }
    }

    /** The fewest shards (a power of two) whose indexes hold {@code keys}. */
    private static int shardsFor(long keys) {
        int n = 1;
        while (n < MAX_SHARDS && keys / n > MAX_KEYS_PER_SHARD) {
            n <<= 1;
        }
        return n;
    }
}
