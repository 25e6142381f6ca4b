package io.psaremoval;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PsaIntegrationRemovalApplication {

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
        SpringApplication.run(PsaIntegrationRemovalApplication.class, args);
    }
}
