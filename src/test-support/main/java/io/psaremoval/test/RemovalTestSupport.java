package io.psaremoval.test;

import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.engine.IdentityMirror;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a process test of the removal needs besides the application: generated platform accounts with checksums of
 * their data ({@link PlatformFixtures}) and a driver that plays the people in Tasklist ({@link RemovalDriver}).
 * Import it into a {@code @SpringBootTest}; the database comes from {@link EmbeddedPostgresAutoConfiguration} when
 * the test sets no {@code spring.datasource.url}. Exports and snapshots go below the machine's temporary folder unless
 * the test sets {@code psa.backup.directory} and {@code psa.backup.snapshot-directory} (see {@code test-folders.properties}).
 *
 * <pre>{@code
 * @SpringBootTest(properties = {"psa.embedded-postgres.port=0", "camunda.bpm.job-execution.enabled=false"})
 * @Import(RemovalTestSupport.class)
 * class MyRemovalTest { ... }
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:io/psaremoval/test/test-folders.properties")
public class RemovalTestSupport {

    @Bean
    PlatformDataGenerator platformDataGenerator(JdbcClient jdbc, PlatformUserRepository users) {
        return new PlatformDataGenerator(jdbc, users);
    }

    @Bean
    PlatformFixtures platformFixtures(PlatformDataGenerator generator, JdbcClient jdbc, PlatformUserRepository users,
            IdentityMirror identity) {
        return new PlatformFixtures(generator, jdbc, users, identity);
    }

    @Bean
    RemovalDriver removalDriver(ProcessEngine engine, PlatformFixtures fixtures) {
        return new RemovalDriver(engine, fixtures);
    }
}
