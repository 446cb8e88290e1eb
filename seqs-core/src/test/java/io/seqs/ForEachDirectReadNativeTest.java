package io.seqs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.fs.DirectReads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every {@link ForEachTest} case again with every chunk of the log read past the page cache
 * ({@code seqs.scan.direct=always}), so that the records of a scan come from the scan's own
 * reads rather than the mappings while writers, deletes, resets and closes race it. Runs with
 * native access granted (see the pom), which reading past the page cache needs.
 */
class ForEachDirectReadNativeTest extends ForEachTest {
    private static final String PROPERTY = "seqs.scan.direct";

    @BeforeAll
    static void readPastThePageCache() {
        assertTrue(
                !System.getProperty("os.name", "").startsWith("Linux") || DirectReads.available(),
                "this test runs with native access granted");
        System.setProperty(PROPERTY, "always");
    }

    @AfterAll
    static void restore() {
        System.clearProperty(PROPERTY);
    }
}
