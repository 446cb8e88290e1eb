package io.seqs.crashtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the records of an intact store lie, read straight from its segment files, so that a
 * loss after damage can be traced to the bytes that were hit. Layout, as seqs-core writes it: a
 * 64-byte segment header, then records of a 16-byte header (CRC32C, key length u16, type, flags,
 * stored length, generation), the key and the value, padded to 8 bytes; 8 zero bytes end them.
 */
final class RecordMap {
    static final int SEGMENT_HEADER = 64;
    static final int RECORD_HEADER = 16;

    /** One record: file relative to the store, its offset and padded length, and its key. */
    record Extent(String file, long offset, long length, int keyId) {}

    /** Per key id: its last record in log order (put or delete). */
    final Map<Integer, Extent> latest = new HashMap<>();
    /** Per segment file: the offset where its records end. */
    final Map<String, Long> recordsEnd = new HashMap<>();
    /** Per segment file: offsets where records start. */
    final Map<String, List<Long>> boundaries = new HashMap<>();

    /** Reads the segments of {@code epochDir} (every shard), relative names against {@code storeDir}. */
    static RecordMap read(Path storeDir, Path epochDir) throws IOException {
        RecordMap m = new RecordMap();
        if (!Files.isDirectory(epochDir)) {
            return m;
        }
        for (Path seg : FileTrees.find(epochDir, ".seg")) { // sorted: shard by shard, segment ids in order
            byte[] b = Files.readAllBytes(seg);
            String rel = storeDir.relativize(seg).toString();
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            List<Long> starts = new ArrayList<>();
            long off = SEGMENT_HEADER;
            while (off + RECORD_HEADER <= b.length && buf.getLong((int) off) != 0) {
                int keyLength = Short.toUnsignedInt(buf.getShort((int) off + 4));
                int stored = buf.getInt((int) off + 8);
                long length = (RECORD_HEADER + (long) keyLength + stored + 7) & -8L;
                if (stored < 0 || off + length > b.length) {
                    break;
                }
                byte[] key = new byte[keyLength];
                System.arraycopy(b, (int) off + RECORD_HEADER, key, 0, keyLength);
                int id = Values.keyId(key);
                starts.add(off);
                if (id >= 0) {
                    m.latest.put(id, new Extent(rel, off, length, id));
                }
                off += length;
            }
            m.recordsEnd.put(rel, off);
            m.boundaries.put(rel, starts);
        }
        return m;
    }
}
