package io.seqs.internal.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The read gate's promise: memory a reader may be inside is released only after the reader has
 * left. A reader enters the gate, follows the shared reference and reads whether its block was
 * released; a releaser publishes a new block, waits for readers, then releases the old one
 * (stands for closing its arena). A reader must never see a block released while it is inside.
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "the reader saw a block that was live while it was inside the gate")
@Outcome(id = "1", expect = FORBIDDEN, desc = "the reader saw its block released while it was inside the gate")
@State
public class ReadGateReleaseTest {
    /** Memory that a releaser frees; {@code released} stands for a closed arena. */
    static final class Block {
        boolean released;
    }

    private final ReadGate gate = new ReadGate();
    private volatile Block current = new Block();

    @Actor
    public void reader(I_Result r) {
        int ticket = gate.enter();
        try {
            Block block = current;
            r.r1 = block.released ? 1 : 0;
        } finally {
            gate.exit(ticket);
        }
    }

    @Actor
    public void releaser() {
        Block old = current;
        current = new Block();
        gate.awaitReaders();
        old.released = true;
    }
}
