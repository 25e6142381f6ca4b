package io.psaremoval.schema;

import java.io.IOException;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The plugin brings Flyway onto the host's classpath for its own tables. A host that does not use Flyway itself
 * (no {@code spring.flyway.*} settings and no scripts anywhere under Flyway's default {@code classpath:db/migration}) would
 * otherwise get Spring Boot's Flyway run against its schema; for such a host Spring Boot's Flyway is off by default.
 * A host that uses Flyway keeps it exactly as it configured it. Registered in {@code META-INF/spring.factories}.
 */
class HostFlywayDefault implements EnvironmentPostProcessor {

    static final String SOURCE = "psa-integration-removal-host-flyway-default";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean configured = environment.containsProperty("spring.flyway.enabled")
                || environment.containsProperty("spring.flyway.locations");
        if (!configured && !hasDefaultMigrations()) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of("spring.flyway.enabled", "false")));
        }
    }

    private static boolean hasDefaultMigrations() {
        try {
            return new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/**/*").length > 0;
        } catch (IOException e) {
            return true;
        }
    }
}
