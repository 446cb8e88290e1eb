package io.seqs.crashtest;

import io.seqs.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The quick crash run of the project's test command: all four kinds, each for a fixed time, all
 * three durability modes in turn. Properties:
 *
 * <ul>
 *   <li>{@code -Dseqs.crashtest.seed=S} replays a run (the seed is printed either way);
 *   <li>{@code -Dseqs.crashtest.minutes=M} runs each kind for M minutes instead (the soak
 *       profile sets it).
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashTestQuickTest {
    private static long seed;
    private static double minutes;

    @BeforeAll
    static void seed() {
        String fixed = System.getProperty("seqs.crashtest.seed");
        seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : System.nanoTime();
        String m = System.getProperty("seqs.crashtest.minutes");
        minutes = m != null && !m.isBlank() ? Double.parseDouble(m.trim()) : 0;
        System.out.println("crashtest: seed " + seed + " (replay with -Dseqs.crashtest.seed=" + seed + ")");
    }

    private static void run(Kind kind, Duration quick, int maxCycles) throws Exception {
        Duration budget = minutes > 0 ? Duration.ofSeconds((long) (minutes * 60)) : quick;
        int cycles = minutes > 0 ? Integer.MAX_VALUE : maxCycles;
        Options o = new Options(
                kind,
                seed,
                cycles,
                budget,
                List.of(Durability.values()),
                Path.of("target", "crashtest").toAbsolutePath());
        System.out.println(CrashTest.run(o));
    }

    @Test
    @Order(1)
    void killLoop() throws Exception {
        run(Kind.KILL, Duration.ofSeconds(40), Integer.MAX_VALUE);
    }

    @Test
    @Order(2)
    void powerLoss() throws Exception {
        run(Kind.POWER, Duration.ofSeconds(60), Integer.MAX_VALUE);
    }

    @Test
    @Order(3)
    void failpoints() throws Exception {
        // every failpoint four times, in turn
        run(Kind.FAILPOINT, Duration.ofSeconds(45), 4 * CrashLoop.FAILPOINTS.size());
    }

    @Test
    @Order(4)
    void corruption() throws Exception {
        run(Kind.CORRUPTION, Duration.ofSeconds(40), Integer.MAX_VALUE);
    }
}
