/**
 * Instrumentation: sampled latencies in a log-linear histogram, the snapshot of figures meters
 * read, and the optional Micrometer meters (the only classes that name a Micrometer type).
 */
package io.seqs.internal.metrics;
