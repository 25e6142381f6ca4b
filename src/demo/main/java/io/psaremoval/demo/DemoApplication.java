package io.psaremoval.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The demo application: a Camunda 7 Spring Boot application like any host, with the plugin as a dependency and
 * nothing else of it in its code. Its own parts are the demo data ({@link DemoDataSeeder}) and its configuration
 * ({@code application.yaml}); the embedded PostgreSQL comes with the test support, as the default when no
 * {@code spring.datasource.url} is set.
 */
@SpringBootApplication
public class DemoApplication {

    static {
        // HikariCP skips its liveness check for a connection used in the last 500 ms. After the database
        // restarts, that lets a dead connection through to the engine's "record the failed job" step: the
        // failure is then lost and the job runs again only when its lock expires, not on the configured
        // retry back-off. Checking every borrowed connection costs one round trip; -D overrides it.
        if (System.getProperty("com.zaxxer.hikari.aliveBypassWindowMs") == null) {
            System.setProperty("com.zaxxer.hikari.aliveBypassWindowMs", "0");
        }
    }

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }
}
