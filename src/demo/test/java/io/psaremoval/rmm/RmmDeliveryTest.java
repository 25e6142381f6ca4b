package io.psaremoval.rmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.test.RmmReceiver;
import io.psaremoval.test.RmmReceiver.Received;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The RMM side is really told: a receiver on this machine plays the RMM's webhook. Each notice arrives as JSON that a
 * JSON parser reads (whatever a hostname holds), signed with the endpoint's secret, with the notice id as idempotency
 * key on every attempt; a refusal is retried on the back-off, exhausted retries are an incident that the operator's
 * retry resolves, and every attempt is in the audit.
 */
@PlatformTest
class RmmDeliveryTest {

    private static final String SECRET = "shared-secret-of-the-rmm-webhook";

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    ProcessEngine engine;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TestRestTemplate rest;

    RmmReceiver rmm;
    List<Received> received;
    GeneratedAccount account;
    String administrator;

    @BeforeEach
    void anRmmThatAnswersOnThisMachine() throws Exception {
        rmm = RmmReceiver.start();
        received = rmm.received();
        account = fixtures.create();
        administrator = fixtures.username(account, Role.ADMINISTRATOR);
        // A hostname no string concatenation survives: quotes, a backslash, a newline, a control character.
        jdbc.sql("""
                update rmm_device set hostname = 'ws-"07"\\' || chr(10) || 'second line' || chr(7)
                where id = (select min(id) from rmm_device where account_id = :a and matched_configuration_id is not null)""")
                .param("a", account.accountId()).update();
    }

    @AfterEach
    void stop() {
        rmm.close();
    }

    @Test
    void onlyAnAdministratorOfTheAccountSetsWhereTheRmmIsTold() {
        String url = rmm.url();
        assertThat(putEndpoint(fixtures.username(account, Role.MANAGER), url, SECRET)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(putEndpoint(fixtures.username(fixtures.create(), Role.ADMINISTRATOR), url, SECRET))
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(putEndpoint(administrator, url, "short")).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(putEndpoint(administrator, "ftp://nowhere", SECRET)).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(putEndpoint(administrator, url, SECRET)).isEqualTo(HttpStatus.OK);

        String shown = rest.withBasicAuth(administrator, PlatformFixtures.PASSWORD)
                .getForObject("/api/rmm-integrations/" + account.rmmIntegrationId() + "/endpoint", String.class);
        assertThat(shown).contains(url).contains("\"secretSet\":true").doesNotContain(SECRET);
    }

    @Test
    void aRefusedNoticeIsRetriedWithTheSameKeyAndDeliveredOnceSigned() throws Exception {
        configureEndpoint();
        rmm.refuseNext(2);
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        runJobsUpToTheDelivery(removal);

        Job delivery = deliveryJob(removal);
        assertThatThrownBy(() -> engine.getManagementService().executeJob(delivery.getId()))
                .hasMessageContaining("HTTP 503");
        assertThatThrownBy(() -> engine.getManagementService().executeJob(delivery.getId()))
                .hasMessageContaining("HTTP 503");
        assertThat(deliveryJob(removal).getRetries()).as("two failures counted").isEqualTo(3);
        engine.getManagementService().executeJob(delivery.getId());

        assertThat(ended(removal)).isTrue();
        long noticeId = noticeOf(removal);
        assertThat(received).hasSize(3).allSatisfy(request -> {
            assertThat(request.idempotencyKey()).isEqualTo(String.valueOf(noticeId));
            assertThat(request.signature()).isEqualTo("v1=" + WebhookRmmConnector.sign(SECRET, request.timestamp(),
                    request.body()));
        });
        JsonNode payload = new ObjectMapper().readTree(received.get(2).body());
        assertThat(payload.path("event").asText()).isEqualTo("devices-unmatched");
        assertThat(payload.path("devices")).anySatisfy(device -> assertThat(device.path("hostname").asText())
                .isEqualTo("ws-\"07\"\\\nsecond line\u0007"));
        assertThat(jdbc.sql("select delivery_status from rmm_unmatch_notice where id = :id").param("id", noticeId)
                .query(String.class).single()).isEqualTo("DELIVERED");
        assertThat(jdbc.sql("select string_agg(outcome, ',' order by id) from rmm_notice_delivery where notice_id = :id")
                .param("id", noticeId).query(String.class).single()).isEqualTo("FAILED,FAILED,DELIVERED");
        assertThat(auditOf(removal)).contains("delivered to RMM integration " + account.rmmIntegrationId())
                .contains("HTTP 503");
    }

    @Test
    void exhaustedRetriesRaiseAnIncidentThatTheOperatorsRetryResolves() {
        configureEndpoint();
        rmm.refuseNext(Integer.MAX_VALUE);
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        runJobsUpToTheDelivery(removal);
        Job delivery = deliveryJob(removal);

        // Every attempt of the retry cycle (R5 here) is refused: the last one leaves an incident.
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThatThrownBy(() -> engine.getManagementService().executeJob(delivery.getId())).hasMessageContaining("HTTP 503");
        }
        assertThat(received).hasSize(5);
        var incident = engine.getRuntimeService().createIncidentQuery().processInstanceId(removal.getId()).singleResult();
        assertThat(incident.getActivityId()).isEqualTo("Task_DeliverRmmNotices");
        assertThat(incident.getIncidentMessage()).contains("Not delivered").contains("HTTP 503");

        rmm.refuseNext(0);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        assertThat(rest.withBasicAuth("operator", "test-operator-password").exchange("/engine-rest/job/" + delivery.getId()
                + "/retries", HttpMethod.PUT, new HttpEntity<>("{\"retries\": 1}", headers), String.class).getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        engine.getManagementService().executeJob(delivery.getId());

        assertThat(ended(removal)).isTrue();
        assertThat(engine.getRuntimeService().createIncidentQuery().processInstanceId(removal.getId()).count()).isZero();
        assertThat(received.stream().map(Received::idempotencyKey).distinct()).hasSize(1);
    }

    @Test
    void aNoticeRecordedWhileNoEndpointWasSetIsDeliveredWhenOneIs() throws Exception {
        ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        assertThat(ended(removal)).as("an RMM without an endpoint does not hold the removal up").isTrue();
        long noticeId = noticeOf(removal);
        assertThat(status(noticeId)).isEqualTo("NOT_CONFIGURED");
        assertThat(received).isEmpty();

        configureEndpoint();

        assertThat(received).hasSize(1);
        assertThat(received.get(0).idempotencyKey()).isEqualTo(String.valueOf(noticeId));
        assertThat(status(noticeId)).isEqualTo("DELIVERED");
        configureEndpoint();
        assertThat(received).as("a delivered notice is not sent again").hasSize(1);
    }

    @Test
    void anRmmIntegrationOfAnotherAccountAndOneThatDoesNotExistLookTheSame() {
        String url = rmm.url();
        GeneratedAccount other = fixtures.create();
        assertThat(putEndpoint(administrator, other.rmmIntegrationId(), url, SECRET)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(putEndpoint(administrator, 987_654_321L, url, SECRET)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(putEndpoint(administrator, account.psaIntegrationId(), url, SECRET)).isEqualTo(HttpStatus.FORBIDDEN);
    }

    // --- helpers -----------------------------------------------------------------------------------

    private String status(long noticeId) {
        return jdbc.sql("select delivery_status from rmm_unmatch_notice where id = :id").param("id", noticeId)
                .query(String.class).single();
    }

    private void configureEndpoint() {
        assertThat(putEndpoint(administrator, rmm.url(), SECRET))
                .isEqualTo(HttpStatus.OK);
    }

    private HttpStatus putEndpoint(String user, String url, String secret) {
        return putEndpoint(user, account.rmmIntegrationId(), url, secret);
    }

    private HttpStatus putEndpoint(String user, long rmmIntegrationId, String url, String secret) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        String body;
        try {
            body = new ObjectMapper().writeValueAsString(Map.of("url", url, "secret", secret));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return HttpStatus.valueOf(rest.withBasicAuth(user, PlatformFixtures.PASSWORD).exchange("/api/rmm-integrations/"
                + rmmIntegrationId + "/endpoint", HttpMethod.PUT, new HttpEntity<>(body, headers), String.class)
                .getStatusCode().value());
    }

    /** Runs the delete's jobs one by one until the next job is the delivery of the notices. */
    private void runJobsUpToTheDelivery(ProcessInstance removal) {
        for (Job job = nextJob(removal); job != null && deliveryJobOrNull(removal) == null; job = nextJob(removal)) {
            engine.getManagementService().executeJob(job.getId());
        }
        assertThat(deliveryJobOrNull(removal)).as("the removal waits at the delivery").isNotNull();
    }

    private Job nextJob(ProcessInstance removal) {
        return engine.getManagementService().createJobQuery().processInstanceId(removal.getId()).messages()
                .listPage(0, 1).stream().findFirst().orElse(null);
    }

    private Job deliveryJobOrNull(ProcessInstance removal) {
        return engine.getManagementService().createJobQuery().processInstanceId(removal.getId())
                .activityId("Task_DeliverRmmNotices").singleResult();
    }

    private Job deliveryJob(ProcessInstance removal) {
        Job job = deliveryJobOrNull(removal);
        assertThat(job).isNotNull();
        return job;
    }

    private boolean ended(ProcessInstance removal) {
        return engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(removal.getId())
                .finished().count() == 1;
    }

    private long noticeOf(ProcessInstance removal) {
        return jdbc.sql("""
                select n.id from rmm_unmatch_notice n join removal r on r.id = n.removal_id
                where r.process_instance_id = :pid""").param("pid", removal.getId()).query(Long.class).single();
    }

    private String auditOf(ProcessInstance removal) {
        long removalId = jdbc.sql("select id from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(Long.class).single();
        return rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD).getForObject("/api/audit/removals/" + removalId,
                String.class);
    }
}
