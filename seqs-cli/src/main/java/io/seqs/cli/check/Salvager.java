package io.seqs.cli.check;

import io.seqs.Seqs;
import io.seqs.cli.Progress;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.LogRecord;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies every key whose latest version is certain from a store's files into another store,
 * shard by shard (a key lives in one shard, so memory holds one shard's keys at a time).
 *
 * <p>A key's latest version is certain when no unreadable stretch of its shard's log lies after
 * its latest sound record: the log is in write order, so bytes lost before that record can only
 * have held older versions. A key whose latest sound record precedes an unreadable stretch may
 * have had a newer put or a delete in it: it is in doubt, not copied, and named. An unreadable
 * tail with nothing sound after it (a write a crash interrupted) puts no key in doubt: the copy
 * then holds every key as of the end of the sound log, as open would.
 *
 * <p>A sound checkpoint covering the end of every unreadable stretch after a key's record settles
 * the doubt when its index entry for the key (same 25-bit hash) points at exactly that record:
 * the key was not written again before the checkpoint's covered position.
 *
 * <p>Compressed values are decompressed and put as they were written; the target store compresses
 * them again as it is set to. A key whose latest value does not decompress is not copied, and named.
 */
public final class Salvager {
    /**
     * A key in doubt.
     *
     * @param key its bytes
     * @param shard its shard
     * @param logPosition its latest sound record
     * @param gapStart the unreadable stretch after it
     */
    public record Doubt(byte[] key, int shard, long logPosition, long gapStart) {}

    /**
     * A key whose latest record is sound but whose compressed value does not decompress.
     *
     * @param key its bytes
     * @param shard its shard
     * @param logPosition its latest record
     * @param file the file holding the record
     * @param offset the record's offset in it
     * @param what what is wrong with the value
     */
    public record DamagedValue(byte[] key, int shard, long logPosition, Path file, long offset, String what) {}

    /**
     * What a salvage did.
     *
     * @param saved keys copied
     * @param deleted keys whose latest record is a delete
     * @param savedBeyondOpen keys copied whose latest record open would drop
     * @param records sound records read
     * @param gaps unreadable stretches
     * @param doubts keys in doubt
     * @param damagedValues keys not copied because their latest value does not decompress
     * @param findings every problem in the source
     */
    public record Result(
            long saved,
            long deleted,
            long savedBeyondOpen,
            long records,
            List<ShardGap> gaps,
            List<Doubt> doubts,
            List<DamagedValue> damagedValues,
            List<Finding> findings) {
        /** Whether everything was saved. */
        public boolean complete() {
            return gaps.isEmpty() && doubts.isEmpty() && damagedValues.isEmpty();
        }
    }

    /** An unreadable stretch of a shard's log. @param shard shard @param gap the stretch */
    public record ShardGap(int shard, ShardScan.Gap gap) {}

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private record Latest(
            long segmentId, long offset, long logPosition, int type, int flags, int keyLength, int valueLength) {
        LogRecord record() {
            return new LogRecord(offset, keyLength, type, flags, valueLength, 0);
        }
    }

    private Salvager() {}

    /**
     * Salvages a store.
     *
     * @param layout the damaged store's names
     * @param target the new store
     * @param progress advanced by bytes read
     * @return what was saved and what not
     * @throws IOException when a file cannot be listed or mapped
     */
    public static Result salvage(StoreLayout layout, StoreChecks checks, Seqs target, Progress progress)
            throws IOException {
        List<Finding> findings = new ArrayList<>(checks.findings());
        List<ShardGap> gaps = new ArrayList<>();
        List<Doubt> doubts = new ArrayList<>();
        List<DamagedValue> damaged = new ArrayList<>();
        long saved = 0;
        long deleted = 0;
        long beyond = 0;
        long records = 0;
        for (int shard = 0; shard < checks.shardCount(); shard++) {
            Map<Key, Latest> latest = new HashMap<>();
            try (ShardScan scan = ShardScan.scan(
                    layout,
                    checks.expected(shard),
                    (s, r, pos) -> latest.put(
                            new Key(r.key(s.file().bytes())),
                            new Latest(s.id(), r.offset(), pos, r.type(), r.flags(), r.keyLength(), r.valueLength())),
                    progress)) {
                findings.addAll(scan.findings());
                records += scan.records();
                List<Settled.Checkpoint> checkpoints = Settled.load(layout, checks.expected(shard), scan);
                long lastGapStart = -1;
                for (ShardScan.Gap g : scan.gaps()) {
                    gaps.add(new ShardGap(shard, g));
                    if (!g.trailing()) {
                        lastGapStart = Math.max(lastGapStart, g.start());
                    }
                }
                for (Map.Entry<Key, Latest> e : latest.entrySet()) {
                    Latest l = e.getValue();
                    if (l.logPosition() < lastGapStart
                            && !Settled.byCheckpoint(checkpoints, e.getKey().bytes(), l.logPosition(), scan)) {
                        doubts.add(new Doubt(
                                e.getKey().bytes(), shard, l.logPosition(), firstGapAfter(scan, l.logPosition())));
                    } else if (l.type() == LogRecord.DELETE) {
                        deleted++;
                    } else if (copy(e.getKey().bytes(), l, shard, scan, target, damaged)) {
                        saved++;
                        if (l.logPosition() >= scan.soundEnd()) {
                            beyond++;
                        }
                    }
                }
                checkpoints.forEach(Settled.Checkpoint::close);
            }
        }
        return new Result(saved, deleted, beyond, records, gaps, doubts, damaged, findings);
    }

    /** Puts a key's latest value into the target (decompressed: the target compresses as it is set to). */
    private static boolean copy(
            byte[] key, Latest l, int shard, ShardScan scan, Seqs target, List<DamagedValue> damaged) {
        MappedFile file = scan.segments().get(l.segmentId()).file();
        byte[] value;
        try {
            value = l.record().value(file.bytes());
        } catch (FormatException ex) {
            damaged.add(new DamagedValue(key, shard, l.logPosition(), file.path(), ex.offset(), ex.getMessage()));
            return false;
        }
        target.put(key, value);
        return true;
    }

    private static long firstGapAfter(ShardScan scan, long position) {
        return scan.gaps().stream()
                .filter(g -> !g.trailing() && g.start() > position)
                .mapToLong(ShardScan.Gap::start)
                .min()
                .orElse(-1);
    }
}
