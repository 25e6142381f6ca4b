package io.psaremoval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.removal.RemovalMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Removal through the engine against raw SQL. Run with {@code mvn -Pbenchmark verify -Dbenchmark=RemovalBenchmark}
 * ({@code -Dbenchmark.items=1000000 -Dbenchmark.organizations=5000} are the defaults), with the removal
 * settings of production (chunks of 10,000 items, jobs of up to 30 s), not the test profile's small ones.
 */
@PlatformTest
@TestPropertySource(properties = {"psa.removal.chunk-rows=10000", "psa.removal.job-time-budget=PT30S"})
class RemovalBenchmark {

    @Autowired
    RemovalBenchmarkRunner runner;

    @Test
    void deleteAndDisconnect() throws Exception {
        long items = Long.getLong("benchmark.items", 1_000_000);
        int organizations = Integer.getInteger("benchmark.organizations", 5_000);
        for (RemovalMode mode : RemovalMode.values()) {
            RemovalBenchmarkRunner.Result result = runner.run(mode, items, organizations);
            result.print();
            assertThat(result.identical()).as("same end state as raw SQL, other account untouched").isTrue();
        }
    }
}
