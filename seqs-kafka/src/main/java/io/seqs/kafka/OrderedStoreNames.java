package io.seqs.kafka;

/**
 * The key-value stores the DSL creates through {@code DslStoreSuppliers.keyValueStore} that read
 * in key order, known by the names Kafka Streams 4.4 gives them: the foreign-key join's
 * subscription store ({@code <name>-subscription-store}, or
 * {@code KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-<n>} unnamed), which reads key ranges, and the
 * stream-stream left and outer join's shared store ({@code <name>-left-shared-join-store},
 * {@code <name>-outer-shared-join-store}, or {@code KSTREAM-OUTERSHARED-<n>-store} unnamed),
 * which iterates in key order. Tests build both joins and check the names still match.
 */
final class OrderedStoreNames {
    private OrderedStoreNames() {}

    /** Whether the DSL store of this name needs key order. */
    static boolean needsKeyOrder(String name) {
        return name.endsWith("-subscription-store")
                || name.startsWith("KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-")
                || name.contains("-left-shared-join")
                || name.contains("-outer-shared-join")
                || name.startsWith("KSTREAM-OUTERSHARED-");
    }
}
