package io.psaremoval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.removal.RemovalMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Removal through the engine against raw SQL. Run with {@code mvn -Pbenchmark verify -Dbenchmark=RemovalBenchmark}
 * ({@code -Dbenchmark.items=1000000 -Dbenchmark.organizations=5000} are the defaults), with the removal
 * settings of production (chunks of 10,000 items, jobs of up to 30 s), not the test profile's small ones.
 * {@code -Dbenchmark.modes=DISCONNECT} runs one mode; {@code -Dbenchmark.item-fillfactor=65} generates the accounts
 * into an item table with that fill factor (room on each page for HOT updates), put back to 100 afterwards.
 */
@PlatformTest
@TestPropertySource(properties = {"psa.removal.chunk-rows=10000", "psa.removal.job-time-budget=PT30S"})
class RemovalBenchmark {

    @Autowired
    RemovalBenchmarkRunner runner;
    @Autowired
    JdbcClient jdbc;

    @Test
    void deleteAndDisconnect() throws Exception {
        long items = Long.getLong("benchmark.items", 1_000_000);
        int organizations = Integer.getInteger("benchmark.organizations", 5_000);
        int fillfactor = Integer.getInteger("benchmark.item-fillfactor", 100);
        jdbc.sql("alter table item set (fillfactor = " + fillfactor + ")").update();
        try {
            for (String mode : System.getProperty("benchmark.modes", "DELETE,DISCONNECT").split(",")) {
                RemovalBenchmarkRunner.Result result = runner.run(RemovalMode.valueOf(mode.strip()), items, organizations);
                System.out.printf("%nitem table fill factor: %d%n", fillfactor);
                result.print();
                assertThat(result.identical()).as("same end state as raw SQL, other account untouched").isTrue();
                if (result.restored() != null) {
                    assertThat(result.restored().identical()).as("the delete undone exactly, as raw SQL's").isTrue();
                }
            }
        } finally {
            jdbc.sql("alter table item reset (fillfactor)").update();
        }
    }
}
