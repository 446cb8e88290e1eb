package io.seqs;

/**
 * How values are stored. Each record says in its header whether its value is compressed, so a
 * store may hold both kinds and the setting may change from one open to the next.
 */
public enum Compression {
    /** Values are stored as they come. */
    NONE,
    /**
     * Each value is compressed with LZ4 (block format, pure-Java implementation) and kept
     * compressed only when that makes its record smaller; values shorter than 32 bytes are never
     * compressed. Gets decompress into the caller's memory.
     */
    LZ4
}
