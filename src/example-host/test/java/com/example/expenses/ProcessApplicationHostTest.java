package com.example.expenses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.psaremoval.removal.RemovalMode;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.test.RemovalTestSupport;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.spring.boot.starter.annotation.EnableProcessApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The same host run as a Camunda process application ({@code @EnableProcessApplication} with its
 * {@code META-INF/processes.xml}): the plugin deploys and runs its removal all the same, once.
 */
@SpringBootTest(classes = ProcessApplicationHostTest.ExpensesAsProcessApplication.class, properties = {
        "psa.embedded-postgres.port=0", "camunda.bpm.job-execution.enabled=false",
        "psa.removal.chunk-rows=40", "psa.removal.job-time-budget=PT0S"})
@Import(RemovalTestSupport.class)
class ProcessApplicationHostTest {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableProcessApplication("expenses")
    static class ExpensesAsProcessApplication {
    }

    @Autowired
    ProcessEngine engine;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;

    @Test
    void aRemovalRunsInAProcessApplicationHost() {
        BpmnAwareTests.init(engine);
        GeneratedAccount account = fixtures.create();

        ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);

        assertThat(removal).isEnded().hasPassed("EndEvent_IntegrationDisconnected");
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("DISCONNECTED");
        assertThat(engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("RemovePsaIntegration")
                .count()).isEqualTo(1);
    }
}
