/**
 * The on-disk formats (docs/format.md): the file prefix every file starts with, records, segment
 * headers, the manifest, CRC32C over off-heap memory, and key checks and hashing. Nothing here
 * does I/O beyond reading and writing the bytes it is handed, except the manifest's atomic
 * replace.
 */
package io.seqs.internal.format;
