package io.psaremoval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.removal.RemovalMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The removal benchmark at 20,000 items, in the test suite: it checks that the chunked process ends in the
 * same state as raw SQL and leaves the other account alone. Its times are printed, not asserted.
 */
@PlatformTest
class SmallRemovalBenchmarkTest {

    @Autowired
    RemovalBenchmarkRunner runner;

    @ParameterizedTest
    @EnumSource(RemovalMode.class)
    void chunkedRemovalEndsLikeRawSql(RemovalMode mode) throws Exception {
        RemovalBenchmarkRunner.Result result = runner.run(mode, 20_000, 200);
        result.print();
        assertThat(result.identical()).isTrue();
        assertThat(result.chunks()).as("several chunks").isGreaterThan(1);
        if (mode == RemovalMode.DELETE) {
            assertThat(result.restored().identical()).as("the delete undone from its snapshot exactly, as raw SQL's").isTrue();
            assertThat(result.coolingOff().hidden()).as("out of sight while it waited").isTrue();
            assertThat(result.coolingOff().organizations()).as("moved out of sight, then purged").isPositive();
        }
    }
}
