package io.psaremoval.system;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.demo.DemoApplication;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The production profile does not start with a missing or default administrator password, nor without its database's
 * URL (on an embedded database of its own, beside the cluster's).
 */
class ProductionProfileApplicationTest {

    @Test
    void refusesToStartWithoutAnyEngineAdministrator(@TempDir Path dataDirectory) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DemoApplication.class)
                .profiles("none")
                .run("--server.port=0", "--psa.embedded-postgres.port=0",
                        "--psa.embedded-postgres.data-directory=" + dataDirectory, "--psa.operator.password=",
                        "--camunda.bpm.job-execution.enabled=false", "--logging.level.root=OFF",
                        "--camunda.bpm.process-engine-name=prod-profile-test").close())
                .hasStackTraceContaining("the engine has no administrator");
    }

    @Test
    void refusesToStartWithADefaultPassword(@TempDir Path dataDirectory) {
        for (String password : new String[] {"", "demo", "changeme"}) {
            assertThatThrownBy(() -> new SpringApplicationBuilder(DemoApplication.class)
                    .profiles("prod")
                    .run("--server.port=0", "--psa.embedded-postgres.port=0",
                            "--psa.embedded-postgres.data-directory=" + dataDirectory,
                            "--psa.embedded-postgres.enabled=true", // the password is checked whatever the database
                            "--psa.operator.password=" + password,
                            "--camunda.bpm.job-execution.enabled=false", "--logging.level.root=OFF",
                        "--camunda.bpm.process-engine-name=prod-profile-test").close())
                    .as("password '%s'", password)
                    .hasStackTraceContaining("Refusing to start in the prod profile");
        }
    }

    @Test
    void refusesToStartWithoutTheDatabasesUrl() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DemoApplication.class)
                .profiles("prod")
                .run("--server.port=0", "--psa.operator.password=a-strong-operator-password",
                        "--camunda.bpm.job-execution.enabled=false", "--logging.level.root=OFF",
                        "--camunda.bpm.process-engine-name=prod-profile-test").close())
                .hasStackTraceContaining("Failed to determine a suitable driver class");
    }
}
