package io.seqs.crashtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a machine that loses power could find on its disk, for a store directory whose process
 * has just been killed: the page cache is gone, and with it every change the kernel had not yet
 * written back, in any order.
 *
 * <p>The model keeps two things, each as the store itself made it durable:
 *
 * <ul>
 *   <li><b>Directory entries.</b> Creating, renaming or deleting a file is durable only once its
 *       directory has been forced. The store runs on a {@link TracingFileSystem}, which reports
 *       every directory force with the entries the directory holds at that moment ({@code F}
 *       lines); that listing is the directory's durable state. This is stricter than treating
 *       every file that existed at the last flush as durable: a file whose directory was never
 *       forced may vanish even though its data was, which is how a store loses a segment it
 *       created but forgot to make reachable.
 *   <li><b>File contents.</b> Forcing a mapped segment is an msync, which no file system API sees.
 *       So the model copies the bytes of every file (by identity, see {@link FileIds}) whenever
 *       the writer reports that something became durable: when it acknowledges flush(), close(),
 *       resetEpoch() or checkpoint() (and under SYNC every write), and when the store forces a
 *       file ({@code P} lines, e.g. a checkpoint or the manifest before its rename). Taking more
 *       images than strictly needed only makes the model kinder, never wrong: the kernel may
 *       write any page back at any time, so "everything present at that instant reached the
 *       disk" is always a possible outcome.
 * </ul>
 *
 * <p>A power loss then rebuilds the directory tree from the durable listings: for every name
 * whose entry changed since its directory was last forced, the old entry or the new one, at
 * random (a rename is all or nothing); for every file, page by page (4096 bytes), the bytes of
 * its last image or its current bytes where they differ, at random, with a per-file bias so that
 * "nothing written back" and "everything written back" both come up; a file created since its
 * last image may come back empty, with zero pages, or with some of its pages.
 *
 * <p>An unlink is such a change until its directory is forced: a segment file deleted after its
 * reclaimed-segment marker was made durable may come back, with the bytes of its last image
 * (an empty file when it never had one), or stay gone.
 */
final class DiskModel {
    static final int PAGE = 4096;

    private final Path root;
    /** Per directory (path relative to the root, "." for the root): name to identity, as of its last force. */
    private final Map<String, Map<String, String>> durable = new HashMap<>();
    /** Per file identity: the bytes of its latest image. */
    private final Map<String, byte[]> images = new HashMap<>();

    long imagesTaken;
    long powerLosses;
    long pagesReverted;
    long pagesKept;
    long entriesUndone;
    long filesDropped;

    DiskModel(Path root) {
        this.root = root;
    }

    /** Declares the directory as it is now fully durable: the start of a run, or right after a simulated power loss. */
    void assumeAllDurable() {
        durable.clear();
        images.clear();
        Current c = readCurrent();
        durable.putAll(c.listings);
        images.putAll(c.contents);
    }

    /**
     * Records an {@code F} line: directory {@code dir} was forced while holding {@code entries}.
     * As POSIX has it, this says nothing about the directory's own entry in its parent: that is
     * durable only once the parent is forced.
     */
    void directorySynced(String dir, Map<String, String> entries) {
        durable.put(dir, new HashMap<>(entries));
    }

    /** Parses the words of an {@code F} line after the directory: {@code name/identity} each. */
    static Map<String, String> parseEntries(String[] words, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < words.length; i++) {
            int slash = words[i].lastIndexOf('/');
            m.put(words[i].substring(0, slash), words[i].substring(slash + 1));
        }
        return m;
    }

    /** Copies every file's current bytes as its latest image. */
    void image() {
        imagesTaken++;
        images.putAll(readCurrent().contents);
    }

    /** Forgets images and listings nothing can bring back any more, so that a long soak stays small. */
    void prune() {
        Current c = readCurrent();
        Set<String> reachable = new HashSet<>(c.listings.keySet());
        Deque<String> todo = new ArrayDeque<>(reachable);
        todo.add(".");
        while (!todo.isEmpty()) {
            String d = todo.pop();
            for (Map.Entry<String, String> e : durable.getOrDefault(d, Map.of()).entrySet()) {
                if (FileIds.isDirectory(e.getValue())) {
                    String sub = child(d, e.getKey());
                    if (reachable.add(sub)) {
                        todo.add(sub);
                    }
                }
            }
        }
        reachable.add(".");
        durable.keySet().retainAll(reachable);
        Set<String> referenced = new HashSet<>(c.contents.keySet());
        for (Map<String, String> listing : durable.values()) {
            referenced.addAll(listing.values());
        }
        images.keySet().retainAll(referenced);
    }

    /**
     * Replaces the store directory by what a power loss at this instant could leave, then
     * declares that state durable.
     *
     * @return a one-line summary of what was undone
     */
    String powerLoss(SplittableRandom rnd) {
        powerLosses++;
        Current c = readCurrent();
        Map<String, byte[]> files = new TreeMap<>();
        Set<String> dirs = new TreeSet<>();
        long reverted0 = pagesReverted;
        long undone0 = entriesUndone;
        long dropped0 = filesDropped;
        build(".", c, rnd, files, dirs);
        for (String p : c.paths.keySet()) {
            if (!files.containsKey(p) && !FileIds.isDirectory(c.paths.get(p))) {
                filesDropped++;
            }
        }
        try {
            Path staging = root.resolveSibling(root.getFileName() + ".powerloss");
            FileTrees.delete(staging);
            Files.createDirectories(staging);
            for (String d : dirs) {
                Files.createDirectories(staging.resolve(d));
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(staging.resolve(f.getKey()), f.getValue());
            }
            FileTrees.delete(root);
            Files.move(staging, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the post-power-loss image of " + root, e);
        }
        assumeAllDurable();
        return "power loss: " + (pagesReverted - reverted0) + " pages reverted, " + (entriesUndone - undone0)
                + " directory entries undone, " + (filesDropped - dropped0) + " files gone";
    }

    private void build(String dir, Current c, SplittableRandom rnd, Map<String, byte[]> files, Set<String> dirs) {
        Map<String, String> was = durable.getOrDefault(dir, Map.of());
        Map<String, String> is = c.listings.getOrDefault(dir, Map.of());
        Map<String, String> chosen = new LinkedHashMap<>();
        // A rename moves one identity from one name to another: both names follow one decision.
        Map<String, String> wasNameOf = new HashMap<>();
        was.forEach((name, id) -> wasNameOf.put(id, name));
        Set<String> decided = new HashSet<>();
        for (Map.Entry<String, String> e : is.entrySet()) {
            String from = wasNameOf.get(e.getValue());
            if (from != null && !from.equals(e.getKey()) && !decided.contains(from) && !decided.contains(e.getKey())) {
                boolean renamed = rnd.nextBoolean();
                if (!renamed) {
                    entriesUndone++;
                }
                put(chosen, e.getKey(), renamed ? e.getValue() : was.get(e.getKey()));
                put(chosen, from, renamed ? is.get(from) : e.getValue());
                decided.add(from);
                decided.add(e.getKey());
            }
        }
        Set<String> names = new TreeSet<>(was.keySet());
        names.addAll(is.keySet());
        for (String name : names) {
            if (decided.contains(name)) {
                continue;
            }
            String before = was.get(name);
            String after = is.get(name);
            if (Objects.equals(before, after)) {
                put(chosen, name, after);
            } else if (rnd.nextBoolean()) {
                put(chosen, name, after);
            } else {
                entriesUndone++;
                put(chosen, name, before);
            }
        }
        for (Map.Entry<String, String> e : chosen.entrySet()) {
            String path = child(dir, e.getKey());
            String id = e.getValue();
            if (FileIds.isDirectory(id)) {
                dirs.add(path);
                build(path, c, rnd, files, dirs);
            } else {
                byte[] current = id.equals(c.paths.get(path)) ? c.contents.get(id) : null;
                files.put(path, contents(images.get(id), current, rnd));
            }
        }
    }

    /** The bytes a file may hold after the power loss, given its latest image and its current bytes. */
    private byte[] contents(byte[] image, byte[] current, SplittableRandom rnd) {
        if (current == null) {
            return image == null ? new byte[0] : image; // deletion undone: the file as last written back
        }
        byte[] base = image;
        if (base == null) {
            // created since its last image: its size may not have reached the disk either
            if (rnd.nextInt(4) == 0) {
                pagesReverted += (current.length + PAGE - 1) / PAGE;
                return new byte[0];
            }
            base = new byte[current.length];
        }
        int length = base.length == current.length || rnd.nextBoolean() ? current.length : base.length;
        byte[] out = new byte[length];
        double keepNew = switch (rnd.nextInt(4)) {
            case 0 -> 0.0;
            case 1 -> 1.0;
            default -> rnd.nextDouble();
        };
        for (int off = 0; off < length; off += PAGE) {
            int end = Math.min(length, off + PAGE);
            boolean differs = !Arrays.equals(
                            base,
                            Math.min(off, base.length),
                            Math.min(end, base.length),
                            current,
                            Math.min(off, current.length),
                            Math.min(end, current.length))
                    || Math.min(end, base.length) - Math.min(off, base.length)
                            != Math.min(end, current.length) - Math.min(off, current.length);
            byte[] from = current;
            if (differs) {
                if (rnd.nextDouble() < keepNew) {
                    pagesKept++;
                } else {
                    from = base;
                    pagesReverted++;
                }
            }
            int n = Math.max(0, Math.min(end, from.length) - off);
            if (n > 0) {
                System.arraycopy(from, off, out, off, n);
            }
        }
        return out;
    }

    private static void put(Map<String, String> chosen, String name, String id) {
        if (id != null) {
            chosen.put(name, id);
        }
    }

    private static String child(String dir, String name) {
        return dir.equals(".") ? name : dir + "/" + name;
    }

    /** The directory tree as it is: listings per directory and bytes per file identity. */
    private record Current(
            Map<String, Map<String, String>> listings, Map<String, String> paths, Map<String, byte[]> contents) {}

    private Current readCurrent() {
        Map<String, Map<String, String>> listings = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        Map<String, byte[]> contents = new HashMap<>();
        listings.put(".", new HashMap<>());
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (!d.equals(root)) {
                        record(d);
                        listings.putIfAbsent(rel(d), new HashMap<>());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    String id = record(f);
                    if (id != null) {
                        try {
                            contents.put(id, Files.readAllBytes(f));
                        } catch (NoSuchFileException gone) {
                            listings.get(parent(rel(f))).remove(f.getFileName().toString());
                            paths.remove(rel(f));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // deleted while we walked: as if never seen
                }

                private String record(Path p) {
                    String id = FileIds.of(p);
                    if (id != null) {
                        String r = rel(p);
                        listings.computeIfAbsent(parent(r), x -> new HashMap<>())
                                .put(p.getFileName().toString(), id);
                        paths.put(r, id);
                    }
                    return id;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root, e);
        }
        return new Current(listings, paths, contents);
    }

    private String rel(Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }

    private static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "." : rel.substring(0, slash);
    }
}
