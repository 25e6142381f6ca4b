package com.example.expenses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.psaremoval.removal.RemovalMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The same host run as a Camunda process application ({@code @EnableProcessApplication} with its
 * {@code META-INF/processes.xml}): the plugin deploys and runs its removal all the same, once. This host also moved
 * the engine's REST API and the webapps ({@code spring.jersey.application-path}, {@code
 * camunda.bpm.webapp.application-path}): the plugin's authentication and request limits moved with them.
 */
@SpringBootTest(classes = ProcessApplicationHostTest.ExpensesAsProcessApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "psa.embedded-postgres.port=0", "camunda.bpm.job-execution.enabled=false",
        "psa.removal.chunk-rows=40", "psa.removal.job-time-budget=PT0S",
        "spring.jersey.application-path=/expenses/engine-api", "camunda.bpm.webapp.application-path=/expenses/camunda"})
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
    @LocalServerPort
    int port;

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

    @Test
    void theMovedRestApiStillAsksEveryCallerWhoTheyAre() throws Exception {
        assertThat(get("/expenses/engine-api/engine", null).statusCode()).as("anonymous, at the moved path").isEqualTo(401);
        assertThat(get("/expenses/engine-api/process-definition/key/RemovePsaIntegration", null).statusCode())
                .as("anonymous").isEqualTo(401);
        assertThat(get("/expenses/engine-api/engine", "expenses-admin:expenses-admin-password").statusCode())
                .as("the host's administrator").isEqualTo(200);
        assertThat(get("/engine-rest/engine", null).statusCode()).as("nothing left at the default path").isEqualTo(404);
    }

    @Test
    void theMovedApisKeepTheRequestLimits() throws Exception {
        assertThat(get("/expenses/engine-api/engine?name=%00", "expenses-admin:expenses-admin-password").statusCode())
                .as("a NUL in the moved REST API's address").isEqualTo(400);
        HttpResponse<String> fetch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/expenses/camunda/api/engine/engine/default/external-task/fetchAndLock"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fetch.statusCode()).as("long polling through the moved webapps' API").isEqualTo(404);
        assertThat(fetch.body()).contains("engine's REST API only");
    }

    private HttpResponse<String> get(String path, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
