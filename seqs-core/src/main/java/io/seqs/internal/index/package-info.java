/**
 * The off-heap hash index of a shard (an open-addressing table from key hash to log position,
 * probed without locks by readers) and its checkpoint files.
 */
package io.seqs.internal.index;
