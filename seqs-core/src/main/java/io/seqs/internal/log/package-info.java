/**
 * A shard's log as mapped segment files: the table readers find a log position's segment by, live
 * and dead bytes per segment, and the positions a scan skips.
 */
package io.seqs.internal.log;
