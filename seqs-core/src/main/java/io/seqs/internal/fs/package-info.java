/**
 * File-system steps the store's durability depends on (atomic replace, fsync of files and
 * directories, space reservation, lazily zeroed memory, native calls when native access is
 * granted), seqs' own threads for them, the store's lock file, and the crash tests' failpoints.
 */
package io.seqs.internal.fs;
