package io.seqs.cli.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of a store directory (docs/format.md, "Directory layout"): epoch directories, shard
 * directories, segment files, reclaimed-segment markers and checkpoint files. Lists only; opens
 * nothing for writing.
 */
public final class StoreLayout {
    private static final Pattern EPOCH = Pattern.compile("epoch-(\\d{10})");
    private static final Pattern SHARD = Pattern.compile("shard-(\\d{4})");
    private static final Pattern SEGMENT = Pattern.compile("([0-9a-f]{16})\\.seg");
    private static final Pattern RECLAIMED = Pattern.compile("([0-9a-f]{16})\\.reclaimed");
    private static final Pattern CHECKPOINT = Pattern.compile("([0-9a-f]{16})\\.ckpt");

    private final Path dir;
    private final Path checkpointRoot;

    /**
     * @param dir the store directory
     * @param checkpointRoot the checkpoint directory ({@code dir/checkpoints} unless the store was
     *     opened with another)
     */
    public StoreLayout(Path dir, Path checkpointRoot) {
        this.dir = dir;
        this.checkpointRoot = checkpointRoot;
    }

    /** The store directory. */
    public Path dir() {
        return dir;
    }

    /** The manifest's path. */
    public Path manifest() {
        return dir.resolve(ManifestFile.NAME);
    }

    /** The name of an epoch's directory. @param epoch the epoch @return its name */
    public static String epochName(long epoch) {
        return String.format("epoch-%010d", epoch);
    }

    /** The name of a shard's directory. @param shard the shard @return its name */
    public static String shardName(int shard) {
        return String.format("shard-%04d", shard);
    }

    /** The name of a segment file. @param id the segment id @return its name */
    public static String segmentName(long id) {
        return String.format("%016x.seg", id);
    }

    /** The name of a reclaimed-segment marker. @param id the segment id @return its name */
    public static String reclaimedName(long id) {
        return String.format("%016x.reclaimed", id);
    }

    /**
     * Epoch numbers of the epoch directories present, ascending.
     *
     * @return the epochs
     * @throws IOException on a listing failure
     */
    public List<Long> epochs() throws IOException {
        return numbered(dir, EPOCH, 10);
    }

    /**
     * Shard indexes with a directory in an epoch, ascending.
     *
     * @param epoch the epoch
     * @return the shards
     * @throws IOException on a listing failure
     */
    public List<Integer> shards(long epoch) throws IOException {
        return numbered(dir.resolve(epochName(epoch)), SHARD, 10).stream()
                .map(Long::intValue)
                .toList();
    }

    /**
     * A shard's segment files by id.
     *
     * @param epoch the epoch
     * @param shard the shard
     * @return id to path
     * @throws IOException on a listing failure
     */
    public TreeMap<Long, Path> segments(long epoch, int shard) throws IOException {
        return files(dir.resolve(epochName(epoch)).resolve(shardName(shard)), SEGMENT);
    }

    /**
     * A shard's reclaimed-segment markers by segment id.
     *
     * @param epoch the epoch
     * @param shard the shard
     * @return id to path
     * @throws IOException on a listing failure
     */
    public TreeMap<Long, Path> reclaimed(long epoch, int shard) throws IOException {
        return files(dir.resolve(epochName(epoch)).resolve(shardName(shard)), RECLAIMED);
    }

    /**
     * The files of a shard's log by id: its segment files and reclaimed-segment markers. Where
     * both exist for an id the marker stands (the segment file is a leftover the next open deletes).
     *
     * @param epoch the epoch
     * @param shard the shard
     * @return id to path
     * @throws IOException on a listing failure
     */
    public TreeMap<Long, Path> logFiles(long epoch, int shard) throws IOException {
        TreeMap<Long, Path> files = segments(epoch, shard);
        files.putAll(reclaimed(epoch, shard));
        return files;
    }

    /** Whether a file of {@link #logFiles} is a reclaimed-segment marker. @param file the file @return true if so */
    public static boolean isMarker(Path file) {
        return RECLAIMED.matcher(file.getFileName().toString()).matches();
    }

    /**
     * A shard's checkpoint files by covered position.
     *
     * @param epoch the epoch
     * @param shard the shard
     * @return position to path
     * @throws IOException on a listing failure
     */
    public TreeMap<Long, Path> checkpoints(long epoch, int shard) throws IOException {
        return files(checkpointRoot.resolve(epochName(epoch)).resolve(shardName(shard)), CHECKPOINT);
    }

    /**
     * Names in the store directory that are transient ({@code MANIFEST.tmp}, scratch files, {@code *.tmp} checkpoints
     * are not listed).
     *
     * @return paths
     * @throws IOException on a listing failure
     */
    public List<Path> transientFiles() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.equals("MANIFEST.tmp") || (n.startsWith(".zero-") && n.endsWith(".scratch"));
                    })
                    .sorted()
                    .forEach(found::add);
        }
        return found;
    }

    private static List<Long> numbered(Path parent, Pattern pattern, int radix) throws IOException {
        List<Long> found = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        try (Stream<Path> s = Files.list(parent)) {
            s.forEach(p -> {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    found.add(Long.parseLong(m.group(1), radix));
                }
            });
        }
        found.sort(null);
        return found;
    }

    private static TreeMap<Long, Path> files(Path parent, Pattern pattern) throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        try (Stream<Path> s = Files.list(parent)) {
            s.forEach(p -> {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    found.put(Long.parseUnsignedLong(m.group(1), 16), p);
                }
            });
        }
        return found;
    }
}
