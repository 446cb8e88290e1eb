package io.seqs.crashtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a store directory shows of compression and reclamation, read from its files after a
 * writer ended: the reclaimed-segment markers ({@code <segment id>.reclaimed}, one per segment
 * whose live records were moved to the tail and whose file was deleted) and the put records of
 * its segments by kind, LZ4-compressed (flag bit 0 of the record header, see {@link RecordMap}
 * for the layout) or stored as they came.
 */
final class StoreCensus {
    static final String MARKER_SUFFIX = ".reclaimed";
    private static final int TYPE_OFFSET = 6;
    private static final int FLAGS_OFFSET = 7;
    private static final byte TYPE_PUT = 1;
    private static final byte FLAG_LZ4 = 1;
    /** Values shorter than this are never compressed; plain records are counted from this length on. */
    private static final int COMPRESSIBLE = 32;

    /** Paths of the markers, relative to the store directory. */
    final Set<String> markers = new TreeSet<>();
    /** Put records whose value is stored LZ4-compressed. */
    long lz4Records;
    /** Put records of values of at least 32 bytes stored as they came (incompressible, or LZ4 off). */
    long plainRecords;

    private StoreCensus() {}

    /** Reads {@code store}; files deleted meanwhile are left out. */
    static StoreCensus of(Path store) throws IOException {
        StoreCensus c = new StoreCensus();
        if (!Files.isDirectory(store)) {
            return c;
        }
        for (Path m : FileTrees.find(store, MARKER_SUFFIX)) {
            c.markers.add(store.relativize(m).toString());
        }
        for (Path seg : FileTrees.find(store, ".seg")) {
            try {
                c.count(Files.readAllBytes(seg));
            } catch (NoSuchFileException gone) {
                // an old epoch's file, deleted while we looked
            }
        }
        return c;
    }

    private void count(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long off = RecordMap.SEGMENT_HEADER;
        while (off + RecordMap.RECORD_HEADER <= b.length && buf.getLong((int) off) != 0) {
            int keyLength = Short.toUnsignedInt(buf.getShort((int) off + 4));
            int stored = buf.getInt((int) off + 8);
            long length = (RecordMap.RECORD_HEADER + (long) keyLength + stored + 7) & -8L;
            if (stored < 0 || off + length > b.length) {
                return; // a torn tail: what follows is not records
            }
            if (b[(int) off + TYPE_OFFSET] == TYPE_PUT) {
                if ((b[(int) off + FLAGS_OFFSET] & FLAG_LZ4) != 0) {
                    lz4Records++;
                } else if (stored >= COMPRESSIBLE) {
                    plainRecords++;
                }
            }
            off += length;
        }
    }
}
