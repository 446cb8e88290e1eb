package io.seqs.internal.store;

import io.seqs.CorruptionException;
import io.seqs.SeqsBuilder;
import io.seqs.SeqsException;
import io.seqs.internal.format.Manifest;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.StoreLock;
import io.seqs.internal.index.CheckpointFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What open does with a store's directory before any shard is recovered: refuse a directory that
 * is someone else's, create a new store's, read the manifest (rebuilding it when missing or
 * damaged), record the new session in it, and find what earlier sessions left behind.
 */
public final class StoreDirectory {
    private static final System.Logger LOG = System.getLogger("io.seqs");
    /** Where checkpoints go unless {@link SeqsBuilder#checkpointDirectory} says otherwise. */
    public static final String DEFAULT_CHECKPOINT_DIR = "checkpoints";
    /** How far above the newest checkpoint's generation a rebuilt manifest starts. */
    static final long GENERATION_MARGIN = 1 << 16;

    private StoreDirectory() {}

    /**
     * Makes sure the store directory exists and is a store's or empty, creating it (and the
     * checkpoint directory) for a new store. A read-only open creates nothing.
     *
     * @throws SeqsException when the directory is someone else's, or, read-only, holds no store
     */
    public static void prepare(Config config) {
        Path dir = config.directory();
        try {
            if (Files.isDirectory(dir)) {
                refuseForeign(dir);
            } else if (config.readOnly()) {
                throw new SeqsException(
                        "no store in " + dir + ": the directory does not exist (a read-only open creates nothing)");
            } else {
                Files.createDirectories(dir);
                FileUtil.fsyncDirectory(dir.getParent());
            }
            if (config.readOnly()) {
                if (!Files.exists(dir.resolve(StoreLock.FILE))) {
                    throw new SeqsException("no store in " + dir + ": it has no " + StoreLock.FILE
                            + " (a read-only open creates nothing)");
                }
            } else if (!Files.isDirectory(config.checkpointDirectory())) {
                Files.createDirectories(config.checkpointDirectory());
                // inside the store directory its entry is forced by the manifest write that follows
                Path parent = config.checkpointDirectory().getParent();
                if (parent != null && !parent.equals(dir)) {
                    FileUtil.fsyncDirectory(parent);
                }
            }
        } catch (IOException e) {
            throw new SeqsException("cannot create store directory " + dir, e);
        }
    }

    /**
     * Refuses a directory that is neither empty nor a store, before anything is created in it:
     * a store directory holds a manifest, or only entries seqs itself creates (a store whose
     * creation was cut short before its first manifest).
     */
    private static void refuseForeign(Path dir) throws IOException {
        String foreign = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals(Manifest.FILE_NAME)) {
                    return;
                }
                if (foreign == null && !isStoreEntry(name)) {
                    foreign = name;
                }
            }
        }
        if (foreign != null) {
            throw new SeqsException("directory " + dir + " is neither empty nor a seqs store (it holds '" + foreign
                    + "' and no " + Manifest.FILE_NAME + "); seqs opens only an empty directory or a store it created");
        }
    }

    /** Whether a name in a store directory is one seqs creates there. */
    private static boolean isStoreEntry(String name) {
        return name.equals(StoreLock.FILE)
                || name.equals(Manifest.FILE_NAME + FileUtil.TMP_SUFFIX)
                || name.equals(DEFAULT_CHECKPOINT_DIR)
                || Epoch.parseDirName(name) >= 0
                || FileUtil.isScratchFile(name);
    }

    /**
     * Reads the manifest (rebuilding it when missing or damaged) and, unless read-only, records
     * this session in it and removes scratch files a crash left.
     *
     * @return the manifest of this session, its generation above every one on disk
     */
    public static Manifest openManifest(Config config) throws IOException {
        Path dir = config.directory();
        Manifest found;
        try {
            found = FileUtil.uninterruptibly(() -> Manifest.read(dir));
        } catch (CorruptionException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "store {0}: {1}; rebuilding the manifest from the epoch directories",
                    dir,
                    e.getMessage());
            found = rebuild(config);
        }
        if (found == null) {
            found = rebuild(config);
        }
        if (found == null) {
            found = new Manifest(config.shards(), 1, config.segmentSize(), 0, System.currentTimeMillis());
        } else if (config.shardsExplicit() && found.shardCount() != config.shards()) {
            throw new IllegalArgumentException("store " + dir + " was created with " + found.shardCount()
                    + " shards; it cannot be opened with " + config.shards());
        }
        // Records of this session carry a generation above every one on disk; a read-only open
        // writes nothing, but checks the log against the same bound.
        Manifest session = found.withGeneration(found.generation() + 1);
        if (!config.readOnly()) {
            FileUtil.deleteScratchFiles(dir);
            session.write(dir);
        }
        return session;
    }

    /**
     * Without a readable manifest the newest epoch directory is the current one (a reset creates
     * its directory before committing the manifest, so at worst this finishes that reset). The
     * generation is set above any a previous session can have used: the clock in seconds, or
     * {@link #GENERATION_MARGIN} above the newest checkpoint's, whichever is higher.
     */
    private static Manifest rebuild(Config config) throws IOException {
        long newest = -1;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(config.directory())) {
            for (Path p : entries) {
                newest = Math.max(newest, Epoch.parseDirName(p.getFileName().toString()));
            }
        }
        if (newest < 1) {
            return null;
        }
        // Shards create their directories when they first write, so the shape comes from a
        // segment header; an epoch with none holds no data and takes the configured shape.
        Path epochDir = config.directory().resolve(Epoch.dirName(newest));
        SegmentDescriptor.Header found = null;
        int shardDirs = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(epochDir, "shard-*")) {
            for (Path shardDir : entries) {
                shardDirs++;
                Path first = shardDir.resolve(SegmentDescriptor.fileName(0));
                if (found == null && Files.exists(first)) {
                    found = SegmentDescriptor.readHeader(first);
                }
            }
        }
        int shards = found != null ? found.shardCount() : config.shards();
        long windowSize = found != null ? found.windowSize() : config.segmentSize();
        if (shards < 1 || Integer.bitCount(shards) != 1 || shardDirs > shards) {
            throw new SeqsException("store " + config.directory() + " has no readable manifest, and epoch directory "
                    + epochDir + " holds " + shardDirs + " shard directories for " + shards
                    + " shards; cannot tell its shape");
        }
        // Records and checkpoints carry the generation of the session that wrote them, and the
        // new session's must exceed all of them. Checkpoints record theirs; sessions since the
        // newest checkpoint number at most GENERATION_MARGIN in any realistic history.
        long fromCheckpoints =
                CheckpointFile.maxGeneration(config.checkpointDirectory().resolve(Epoch.dirName(newest)));
        long generation = Math.max(System.currentTimeMillis() / 1000, fromCheckpoints + GENERATION_MARGIN);
        if (generation > 0xFFFF_FFFFL - GENERATION_MARGIN) {
            throw new SeqsException(
                    "store " + config.directory() + ": cannot choose a generation above " + fromCheckpoints);
        }
        return new Manifest(shards, newest, windowSize, (int) generation, System.currentTimeMillis());
    }

    /** Epoch directories under {@code root} other than {@code keep}'s: leftovers of resets, to delete. */
    public static List<Path> otherEpochs(Path root, long keep) throws IOException {
        List<Path> stale = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return stale;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                long e = Epoch.parseDirName(p.getFileName().toString());
                if (e >= 0 && e != keep) {
                    stale.add(p);
                }
            }
        }
        return stale;
    }
}
