package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.store.Background;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A store's deletions run in order, off the caller's thread, and one that fails does not stop the rest. */
class BackgroundTest {
    @Test
    void deletionsRunInOrderAndAFailureDoesNotStopTheChain() {
        Background background = new Background();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        background.delete(() -> ran.add(1));
        background.delete(() -> {
            throw new IllegalStateException("a deletion that failed");
        });
        background.delete(() -> ran.add(3));
        assertTrue(background.close(10_000), "the deletions finished");
        assertEquals(List.of(1, 3), ran);
    }
}
