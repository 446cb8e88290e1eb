package io.seqs;

import java.nio.file.Path;

/** Bytes on disk that do not parse or fail their checksum. Names the file and the offset. */
final class CorruptionException extends RuntimeException {
    private final Path file;
    private final long offset;

    CorruptionException(Path file, long offset, String detail) {
        super(file + " at offset " + offset + ": " + detail);
        this.file = file;
        this.offset = offset;
    }

    Path file() {
        return file;
    }

    long offset() {
        return offset;
    }
}
