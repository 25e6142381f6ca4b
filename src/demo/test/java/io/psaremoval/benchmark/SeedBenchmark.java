package io.psaremoval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformDataGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * How fast the generator seeds a large account. Run with {@code mvn -Pbenchmark verify -Dbenchmark=SeedBenchmark}
 * ({@code -Dbenchmark.items=1000000 -Dbenchmark.organizations=5000} are the defaults).
 */
@PlatformTest
class SeedBenchmark {

    @Autowired
    PlatformDataGenerator generator;
    @Autowired
    JdbcClient jdbc;

    @Test
    void seedsALargeAccount() {
        long items = Long.getLong("benchmark.items", 1_000_000);
        int organizations = Integer.getInteger("benchmark.organizations", 5_000);

        GeneratedAccount account = generator.generate(AccountShape.ofSize("Seed " + System.nanoTime(), organizations, items));
        long analyzeStart = System.nanoTime();
        generator.analyze();
        double analyzeSeconds = (System.nanoTime() - analyzeStart) / 1e9;

        double seconds = account.elapsed().toNanos() / 1e9;
        System.out.printf("%nSEED BENCHMARK (embedded PostgreSQL %s, %d cores)%n",
                jdbc.sql("show server_version").query(String.class).single(), Runtime.getRuntime().availableProcessors());
        System.out.printf("  items            %,12d%n", account.items());
        System.out.printf("  organizations    %,12d%n", account.organizations());
        System.out.printf("  attachments      %,12d%n", account.attachments());
        System.out.printf("  related items    %,12d%n", account.relatedItems());
        System.out.printf("  RMM devices      %,12d%n", account.rmmDevices());
        System.out.printf("  all rows         %,12d%n", account.rows());
        System.out.printf("  seconds          %12.1f  (+ %.1f s analyze)%n", seconds, analyzeSeconds);
        System.out.printf("  rows per second  %,12.0f%n%n", account.rows() / seconds);
        assertThat(account.items()).isEqualTo(items / organizations * organizations
                + (long) Math.max(1, organizations / 20) * (items / organizations));
    }
}
