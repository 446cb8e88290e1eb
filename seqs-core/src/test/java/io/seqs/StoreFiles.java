package io.seqs;

import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.index.CheckpointFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds the files of a closed store and the records in a segment, for tests that damage them. */
public final class StoreFiles {
    private StoreFiles() {}

    public static List<Path> find(Path root, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    public static List<Path> segments(Path dir) throws IOException {
        return find(dir, SegmentDescriptor.FILE_SUFFIX);
    }

    public static List<Path> checkpoints(Path dir) throws IOException {
        return find(dir, CheckpointFile.SUFFIX);
    }

    /** Offsets of the records in a segment file's bytes, in order. */
    public static List<long[]> records(byte[] file) {
        MemorySegment seg = MemorySegment.ofArray(file);
        List<long[]> out = new ArrayList<>();
        long off = SegmentDescriptor.HEADER_LENGTH;
        while (off + RecordDescriptor.HEADER_LENGTH <= file.length && !RecordDescriptor.isEnd(seg, off)) {
            int k = RecordDescriptor.keyLength(seg, off);
            int v = RecordDescriptor.storedLength(seg, off);
            out.add(new long[] {off, RecordDescriptor.HEADER_LENGTH + k + v, RecordDescriptor.recordLength(k, v)});
            off += RecordDescriptor.recordLength(k, v);
        }
        return out;
    }
}
