package io.seqs.crashtest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * One injury to one file of a closed store, applied in place.
 *
 * @param file path relative to the store directory
 * @param what flip, zero, garbage, truncate or delete
 * @param offset first byte affected
 * @param length bytes affected (for truncate and delete: to the old end of the file)
 * @param bits for flip: how many bits
 * @param salt seeds the flipped bit positions and garbage bytes
 */
record Damage(String file, String what, long offset, long length, int bits, long salt) {

    void apply(Path storeDir) throws IOException {
        Path p = storeDir.resolve(file);
        switch (what) {
            case "delete" -> Files.delete(p);
            case "truncate" -> {
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                    f.setLength(offset);
                }
            }
            default -> {
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                    byte[] b = new byte[(int) length];
                    f.seek(offset);
                    f.readFully(b);
                    SplittableRandom rnd = new SplittableRandom(salt);
                    switch (what) {
                        case "flip" -> {
                            for (int i = 0; i < bits; i++) {
                                int bit = rnd.nextInt(b.length * 8);
                                b[bit >>> 3] ^= (byte) (1 << (bit & 7));
                            }
                        }
                        case "zero" -> java.util.Arrays.fill(b, (byte) 0);
                        case "garbage" -> {
                            for (int i = 0; i < b.length; i++) {
                                b[i] = (byte) rnd.nextInt();
                            }
                        }
                        default -> throw new IllegalArgumentException(what);
                    }
                    f.seek(offset);
                    f.write(b);
                }
            }
        }
    }

    /** Whether the bytes {@code [from, to)} of {@code file} were touched. */
    boolean touches(String path, long from, long to) {
        return file.equals(path) && offset < to && from < offset + length;
    }

    @Override
    public String toString() {
        return what + " " + file + " [" + offset + ", +" + length + ")"
                + (what.equals("flip") ? " " + bits + " bits" : "");
    }
}
