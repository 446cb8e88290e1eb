package io.seqs.internal.index;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * An index slot's publication: a writer writes a record into the log, then publishes its
 * position in a slot with a release store; a reader that acquires the slot must see the whole
 * record. Seeing the slot but not the record would let a get return bytes never written.
 */
@JCStressTest
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "the slot was not published yet")
@Outcome(id = "1, 42", expect = ACCEPTABLE, desc = "the slot and the record it points at")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the slot was seen before the record it points at")
@State
public class SlotPublicationTest {
    private static final long POSITION = 16;
    private static final long SLOT = 7;

    private final MemorySegment log = Arena.ofAuto().allocate(64, 8);
    private final HashIndex index = HashIndex.collectable();

    @Actor
    public void writer() {
        log.set(ValueLayout.JAVA_LONG, POSITION, 42L);
        index.setRelease(SLOT, HashIndex.slot(1, POSITION));
    }

    @Actor
    public void reader(JJ_Result r) {
        long slot = index.getAcquire(SLOT);
        r.r1 = slot == HashIndex.EMPTY ? 0 : 1;
        r.r2 = slot == HashIndex.EMPTY ? -1 : log.get(ValueLayout.JAVA_LONG, HashIndex.position(slot));
    }
}
