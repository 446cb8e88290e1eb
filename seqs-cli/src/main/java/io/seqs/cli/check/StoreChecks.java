package io.seqs.cli.check;

import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.ManifestFile;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a reader of a store's files must decide first: the manifest (or, when it is missing or
 * damaged, what open would rebuild it from), and which epoch and shards to read.
 *
 * @param manifest the sound manifest, or null
 * @param epoch the epoch open would use
 * @param shardCount shards open would use (0 when no shard directory tells)
 * @param windowSize the window size, 0 when only a segment header can tell
 * @param maxGeneration the highest generation a record can carry
 * @param findings problems with the manifest and leftovers in the directory
 */
public record StoreChecks(
        ManifestFile manifest,
        long epoch,
        int shardCount,
        long windowSize,
        long maxGeneration,
        List<Finding> findings) {
    private static final long ANY_GENERATION = 0xffff_ffffL;

    /**
     * Reads the manifest and lists the epochs.
     *
     * @param layout the store's names
     * @return what to read
     * @throws IOException when the directory cannot be listed
     */
    public static StoreChecks of(StoreLayout layout) throws IOException {
        List<Finding> findings = new java.util.ArrayList<>();
        ManifestFile manifest = null;
        Path path = layout.manifest();
        if (!Files.exists(path)) {
            findings.add(new Finding(
                    Finding.Severity.DAMAGE,
                    path,
                    0,
                    "manifest missing",
                    "open rebuilds it from the newest epoch directory"));
        } else {
            try (MappedFile f = MappedFile.open(path)) {
                manifest = ManifestFile.parse(f.bytes());
            } catch (FormatException e) {
                findings.add(new Finding(
                        Finding.Severity.DAMAGE,
                        path,
                        e.offset(),
                        e.getMessage(),
                        "open rebuilds it from the newest epoch directory"));
            }
        }
        List<Long> epochs = layout.epochs();
        long epoch = manifest != null ? manifest.epoch() : epochs.isEmpty() ? 1 : epochs.getLast();
        for (long other : epochs) {
            if (other != epoch) {
                findings.add(new Finding(
                        Finding.Severity.NOTE,
                        layout.dir().resolve(StoreLayout.epochName(other)),
                        0,
                        "epoch directory other than the current epoch " + epoch + " (left by a reset)",
                        "open deletes it"));
            }
        }
        for (Path p : layout.transientFiles()) {
            findings.add(new Finding(
                    Finding.Severity.NOTE, p, 0, "transient file left by a process that ended", "open removes it"));
        }
        int shards = manifest != null
                ? manifest.shardCount()
                : layout.shards(epoch).stream().mapToInt(i -> i + 1).max().orElse(0);
        if (manifest == null && shards > 0) {
            shards = Integer.highestOneBit(shards - 1) << 1 == 0 ? 1 : Integer.highestOneBit(shards - 1) << 1;
        }
        long window = manifest != null ? manifest.windowSize() : 0;
        long maxGeneration = manifest != null ? manifest.generation() : ANY_GENERATION;
        return new StoreChecks(manifest, epoch, shards, window, maxGeneration, findings);
    }

    /** What a scan of one shard expects. @param shard the shard @return the expectation */
    public ShardScan.Expected expected(int shard) {
        return new ShardScan.Expected(epoch, shard, manifest != null ? shardCount : 0, windowSize, maxGeneration);
    }

    /**
     * Bytes of every segment file of the epoch, for progress.
     *
     * @param layout names
     * @return bytes
     * @throws IOException on a listing failure
     */
    public long segmentBytes(StoreLayout layout) throws IOException {
        long total = 0;
        for (int shard = 0; shard < shardCount; shard++) {
            for (Path p : layout.logFiles(epoch, shard).values()) {
                if (!StoreLayout.isMarker(p)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }
}
