package io.seqs.cli.check;

import io.seqs.cli.format.CheckpointFile;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Settles a key's doubt with a checkpoint whose index entry for it points at its last sound record. */
final class Settled {
    /** A sound checkpoint, mapped. @param file mapping @param header decoded header */
    record Checkpoint(MappedFile file, CheckpointFile header) {
        void close() {
            file.close();
        }
    }

    private Settled() {}

    /** The shard's checkpoints that pass every check of their own and match the shard. */
    static List<Checkpoint> load(StoreLayout layout, ShardScan.Expected expected, ShardScan scan) throws IOException {
        List<Checkpoint> sound = new ArrayList<>();
        for (Map.Entry<Long, Path> e :
                layout.checkpoints(expected.epoch(), expected.shard()).entrySet()) {
            MappedFile f = MappedFile.open(e.getValue());
            try {
                CheckpointFile c = CheckpointFile.parse(f.bytes());
                if (c.shard() == expected.shard()
                        && c.epoch() == expected.epoch()
                        && c.coveredPosition() == e.getKey()
                        && c.coveredPosition() <= scan.logEnd()) {
                    sound.add(new Checkpoint(f, c));
                    continue;
                }
            } catch (FormatException ignored) {
                // a damaged checkpoint settles nothing; verify names it
            }
            f.close();
        }
        return sound;
    }

    /**
     * Whether a checkpoint covering every unreadable stretch after {@code position} records the
     * key's latest record at {@code position}.
     */
    static boolean byCheckpoint(List<Checkpoint> checkpoints, byte[] key, long position, ShardScan scan) {
        long needed = scan.gaps().stream()
                .filter(g -> !g.trailing() && g.start() > position)
                .mapToLong(ShardScan.Gap::end)
                .max()
                .orElse(0);
        long hash = CheckpointCheck.hash25(key);
        for (Checkpoint c : checkpoints) {
            if (c.header().coveredPosition() >= needed && points(c, hash, position)) {
                return true;
            }
        }
        return false;
    }

    private static boolean points(Checkpoint c, long hash, long position) {
        long capacity = c.header().capacity();
        long slot = (hash * capacity) >>> 25;
        for (long probes = 0; probes < capacity; probes++, slot = slot + 1 == capacity ? 0 : slot + 1) {
            long entry = c.header().slot(c.file().bytes(), slot);
            if (entry == CheckpointFile.EMPTY) {
                return false;
            }
            if (entry != CheckpointFile.TOMBSTONE
                    && CheckpointFile.hash25(entry) == hash
                    && CheckpointFile.position(entry) == position) {
                return true;
            }
        }
        return false;
    }
}
