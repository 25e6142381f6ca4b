package com.example.expenses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import io.psaremoval.removal.RemovalMode;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.test.RemovalTestSupport;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Example Corp's expense application with the PSA integration removal added as one dependency: a removal runs end
 * to end, written with the plugin's test support in a few lines; the host's own process still runs; the host's
 * Flyway history and deployments hold its own things, and the plugin's sit beside them, once.
 */
@SpringBootTest(classes = ExpensesApplication.class, properties = {
        "psa.embedded-postgres.port=0", // the test support's embedded PostgreSQL, on any free port
        "camunda.bpm.job-execution.enabled=false", // the test runs the asynchronous steps itself
        "psa.removal.chunk-rows=40", "psa.removal.job-time-budget=PT0S"})
@Import(RemovalTestSupport.class)
@org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc
class ExpensesWithPsaRemovalTest {

    @Autowired
    ProcessEngine engine;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.springframework.test.web.servlet.MockMvc mvc;

    @BeforeEach
    void assertionsOnThisEngine() {
        BpmnAwareTests.init(engine);
    }

    @Test
    void aManagerDeletesThePsaDataOfTheirAccount() {
        GeneratedAccount account = fixtures.create();
        String before = fixtures.accountChecksum(account.accountId());

        ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        assertThat(removal).as("the cooling-off period: 7 days by default, nothing purged yet")
                .isWaitingAt(RemovalDriver.PENDING_DELETION_TASK);
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(before);

        driver.letTheCoolingOffPass(removal);

        assertThat(removal).isEnded().hasPassed("Task_HardDeleteIntegration", "EndEvent_IntegrationDeleted");
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("DELETED");
        assertThat(fixtures.count("select count(*) from organization where psa_integration_id = :p",
                account.psaIntegrationId())).isZero();
        assertThat(fixtures.accountChecksum(account.accountId())).isNotEqualTo(before);
        assertThat(jdbc.sql("select location from account_backup where account_id = :a and kind = 'SCOPE_SNAPSHOT'")
                .param("a", account.accountId()).query(String.class).single())
                .as("the test's snapshot below the machine's temporary folder, not in the host's working directory")
                .startsWith(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString());
    }

    /** The host's own API under /api/accounts/ stays the host's: the plugin's credentials and limits take its own paths only. */
    @Test
    void theHostsOwnApiBesideThePluginsIsTheHosts() throws Exception {
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/api/accounts/7/expenses"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.status().isOk())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath("$.accountId").value(7));
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/api/accounts/7/removal-policy"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.status().isUnauthorized());
    }

    @Test
    void theHostsOwnProcessMigrationsAndDeploymentsAreItsOwn() throws java.io.IOException {
        ProcessInstance expense = engine.getRuntimeService().startProcessInstanceByKey("ApproveExpense");
        assertThat(expense).isWaitingAt("UserTask_ApproveExpense");
        complete(task(expense));
        assertThat(expense).isEnded().hasPassed("EndEvent_ExpenseApproved");

        assertThat(jdbc.sql("select script from flyway_schema_history where success and version is not null order by installed_rank")
                .query(String.class).list()).as("the host's Flyway history: its own migrations only")
                .containsExactly("V1__expense_claims.sql");
        assertThat(jdbc.sql("select script from psa_integration_removal_schema_history where success and version <> '0' "
                + "order by installed_rank").query(String.class).list()).as("the plugin's, in a history of its own")
                .startsWith("V1__platform_schema.sql", "V2__removal_records.sql")
                .allMatch(script -> script.startsWith("V") && !script.equals("V1__expense_claims.sql"))
                .hasSize(pluginScripts());

        assertThat(engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("ApproveExpense")
                .count()).isEqualTo(1);
        assertThat(engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("RemovePsaIntegration")
                .count()).as("the host's auto-deployment does not deploy the plugin's process again").isEqualTo(1);
        assertThat(engine.getRepositoryService().createDeploymentQuery().list()).extracting(Deployment::getName)
                .contains("psa-integration-removal").hasSize(2);
        assertThat(engine.getIdentityService().createUserQuery().userId("expenses-admin").count())
                .as("the host's own administrator").isEqualTo(1);
    }

    private static int pluginScripts() throws java.io.IOException {
        return new org.springframework.core.io.support.PathMatchingResourcePatternResolver()
                .getResources("classpath*:db/psa-integration-removal/V*__*.sql").length;
    }
}
