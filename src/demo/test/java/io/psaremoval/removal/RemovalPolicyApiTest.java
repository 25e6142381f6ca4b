package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An account's removal policy through {@code /api/accounts/{id}/removal-policy}: only its own Administrators set it
 * (anyone else, another account's Administrator included, gets 403 and a security event), every change is recorded
 * with who and the note, and the auditors read who approved which round of a deletion, and when.
 */
@PlatformTest
class RemovalPolicyApiTest {

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    TestRestTemplate rest;
    @Autowired
    JdbcClient jdbc;

    GeneratedAccount account;
    String administrator;

    @BeforeEach
    void anAccount() {
        account = fixtures.create();
        administrator = fixtures.username(account, Role.ADMINISTRATOR);
    }

    @Test
    void anAdministratorSetsThePolicyAndTheChangeIsRecorded() throws Exception {
        ResponseEntity<String> shown = call(administrator, HttpMethod.GET, null);
        assertThat(shown.getStatusCode().value()).isEqualTo(200);
        assertThat(json(shown).path("deletionApprovalRequired").asBoolean()).isFalse();
        assertThat(json(shown).path("approvalAlwaysAboveOrganizations").asLong()).isEqualTo(500);

        ResponseEntity<String> set = call(administrator, HttpMethod.PUT,
                "{\"deletionApprovalRequired\": true, \"note\": \"Four eyes, as the auditors asked\"}");
        assertThat(set.getStatusCode().value()).as(set.getBody()).isEqualTo(200);
        assertThat(json(set).path("deletionApprovalRequired").asBoolean()).isTrue();
        assertThat(json(set).path("changed").asBoolean()).isTrue();
        assertThat(json(set).path("changedBy").asText()).isEqualTo(administrator);
        ResponseEntity<String> again = call(administrator, HttpMethod.PUT, "{\"deletionApprovalRequired\": true}");
        assertThat(json(again).path("changed").asBoolean()).as("a repeated request changes nothing").isFalse();

        assertThat(jdbc.sql("""
                select changed_by || ' ' || enabled || ' ' || note from account_feature_change
                where account_id = :account and feature = 'DELETION_APPROVAL'""")
                .param("account", account.accountId()).query(String.class).list())
                .containsExactly(administrator + " true Four eyes, as the auditors asked");
    }

    @Test
    void switchingFourEyesOffTakesASecondAdministrator() throws Exception {
        String second = fixtures.createUser(account, Role.ADMINISTRATOR);
        call(administrator, HttpMethod.PUT, "{\"deletionApprovalRequired\": true}");

        ResponseEntity<String> asked = call(administrator, HttpMethod.PUT,
                "{\"deletionApprovalRequired\": false, \"note\": \"We are two now, no need\"}");
        assertThat(asked.getStatusCode().value()).isEqualTo(200);
        assertThat(json(asked).path("changed").asBoolean()).isFalse();
        assertThat(json(asked).path("deletionApprovalRequired").asBoolean()).as("still on").isTrue();
        assertThat(json(asked).path("offRequestedBy").asText()).isEqualTo(administrator);
        assertThat(json(asked).path("message").asText()).contains("a second Administrator of the account must ask the same");
        assertThat(json(call(administrator, HttpMethod.PUT, "{\"deletionApprovalRequired\": false}"))
                .path("deletionApprovalRequired").asBoolean()).as("asking twice is still one person").isTrue();

        ResponseEntity<String> confirmed = call(second, HttpMethod.PUT, "{\"deletionApprovalRequired\": false}");
        assertThat(json(confirmed).path("changed").asBoolean()).isTrue();
        assertThat(json(confirmed).path("deletionApprovalRequired").asBoolean()).isFalse();
        assertThat(json(confirmed).path("offRequestedBy").isNull()).isTrue();
        assertThat(jdbc.sql("""
                select feature || ' ' || enabled || ' ' || changed_by from account_feature_change
                where account_id = :account order by id""").param("account", account.accountId()).query(String.class).list())
                .containsExactly("DELETION_APPROVAL true " + administrator,
                        "DELETION_APPROVAL_OFF_REQUESTED false " + administrator,
                        "DELETION_APPROVAL_OFF_REQUESTED false " + administrator,
                        "DELETION_APPROVAL false " + second);
    }

    @Test
    void theCoolingOffPeriodIsLengthenedByOneAdministratorAndShortenedByTwo() throws Exception {
        String second = fixtures.createUser(account, Role.ADMINISTRATOR);
        JsonNode shown = json(call(administrator, HttpMethod.GET, null));
        assertThat(shown.path("coolingOffPeriod").asText()).as("the test host's own period").isEqualTo("PT0S");
        assertThat(shown.path("coolingOffPeriodIsTheHostsDefault").asBoolean()).isTrue();

        JsonNode lengthened = json(call(administrator, HttpMethod.PUT, "{\"coolingOffPeriod\": \"P14D\", \"note\": \"Two weeks\"}"));
        assertThat(lengthened.path("changed").asBoolean()).isTrue();
        assertThat(lengthened.path("coolingOffPeriod").asText()).isEqualTo("P14D");
        assertThat(lengthened.path("coolingOffPeriodIsTheHostsDefault").asBoolean()).isFalse();

        JsonNode asked = json(call(administrator, HttpMethod.PUT, "{\"coolingOffPeriod\": \"P1D\"}"));
        assertThat(asked.path("changed").asBoolean()).isFalse();
        assertThat(asked.path("coolingOffPeriod").asText()).as("still two weeks").isEqualTo("P14D");
        assertThat(asked.path("shorterCoolingOffRequested").asText()).isEqualTo("P1D");
        assertThat(asked.path("message").asText()).contains("a second Administrator of the account must ask for the same");
        assertThat(json(call(second, HttpMethod.PUT, "{\"coolingOffPeriod\": \"PT1H\"}")).path("coolingOffPeriod").asText())
                .as("another period is a request of its own").isEqualTo("P14D");
        assertThat(json(call(administrator, HttpMethod.PUT, "{\"coolingOffPeriod\": \"PT1H\"}")).path("changed").asBoolean())
                .as("the second Administrator's request confirmed").isTrue();
        assertThat(approvalsPolicyCoolingOff()).isEqualTo(3600);

        for (String wrong : new String[] {"\"-P1D\"", "\"P91D\"", "\"a week\""}) {
            ResponseEntity<String> refused = call(administrator, HttpMethod.PUT, "{\"coolingOffPeriod\": " + wrong + "}");
            assertThat(refused.getStatusCode().value()).as(wrong + ": " + refused.getBody()).isEqualTo(400);
        }
        assertThat(call(fixtures.username(account, Role.MANAGER), HttpMethod.PUT, "{\"coolingOffPeriod\": \"PT0S\"}")
                .getStatusCode().value()).isEqualTo(403);
        assertThat(approvalsPolicyCoolingOff()).isEqualTo(3600);
        assertThat(jdbc.sql("""
                select feature || ' ' || changed_by || ' ' || note from account_feature_change
                where account_id = :account order by id""").param("account", account.accountId()).query(String.class).list())
                .containsExactly("COOLING_OFF " + administrator + " P14D (was PT0S): Two weeks",
                        "COOLING_OFF_SHORTER_REQUESTED " + administrator + " P1D (was P14D)",
                        "COOLING_OFF_SHORTER_REQUESTED " + second + " PT1H (was P14D)",
                        "COOLING_OFF " + administrator + " PT1H (was P14D)");
    }

    @Test
    void aFirstRequestCountsOnlyWhileItsAdministratorIsOneAndForAWeek() throws Exception {
        String second = fixtures.createUser(account, Role.ADMINISTRATOR);
        String both = "{\"deletionApprovalRequired\": false, \"coolingOffPeriod\": \"P1D\"}";
        call(administrator, HttpMethod.PUT, "{\"deletionApprovalRequired\": true, \"coolingOffPeriod\": \"P14D\"}");
        call(administrator, HttpMethod.PUT, both);
        jdbc.sql("update platform_user set role = 'EDITOR' where username = :u").param("u", administrator).update();

        JsonNode alone = json(call(second, HttpMethod.PUT, both));
        assertThat(alone.path("deletionApprovalRequired").asBoolean()).as("a demoted Administrator's request counts no more")
                .isTrue();
        assertThat(alone.path("coolingOffPeriod").asText()).isEqualTo("P14D");
        assertThat(alone.path("offRequestedBy").asText()).as("the second one's request waits, as a first").isEqualTo(second);
        assertThat(alone.path("shorterCoolingOffRequestedBy").asText()).isEqualTo(second);

        String third = fixtures.createUser(account, Role.ADMINISTRATOR);
        jdbc.sql("""
                update removal_policy set off_requested_at = now() - interval '8 days',
                                          cooling_off_requested_at = now() - interval '8 days' where account_id = :a""")
                .param("a", account.accountId()).update();
        JsonNode late = json(call(third, HttpMethod.PUT, both));
        assertThat(late.path("deletionApprovalRequired").asBoolean()).as("a request older than a week counts no more").isTrue();
        assertThat(late.path("coolingOffPeriod").asText()).isEqualTo("P14D");
        assertThat(late.path("offRequestedBy").asText()).isEqualTo(third);

        JsonNode confirmed = json(call(second, HttpMethod.PUT, both));
        assertThat(confirmed.path("deletionApprovalRequired").asBoolean()).as("a standing request, confirmed").isFalse();
        assertThat(confirmed.path("coolingOffPeriod").asText()).isEqualTo("P1D");
    }

    private long approvalsPolicyCoolingOff() {
        return jdbc.sql("select extract(epoch from cooling_off)::bigint from removal_policy where account_id = :a")
                .param("a", account.accountId()).query(Long.class).single();
    }

    @Test
    void nobodyElseSetsIt() {
        GeneratedAccount other = fixtures.create();
        for (String caller : new String[] {fixtures.username(account, Role.MANAGER), fixtures.username(other, Role.ADMINISTRATOR),
                "auditor", "support"}) {
            ResponseEntity<String> refused = call(caller, HttpMethod.PUT, "{\"deletionApprovalRequired\": false}");
            assertThat(refused.getStatusCode().value()).as(caller + ": " + refused.getBody()).isEqualTo(403);
            assertThat(call(caller, HttpMethod.GET, null).getStatusCode().value()).isEqualTo(403);
        }
        assertThat(callAccount(administrator, 987654321L, HttpMethod.PUT, "{\"deletionApprovalRequired\": true}")
                .getStatusCode().value()).as("an account that does not exist looks like another's").isEqualTo(403);
        assertThat(call(administrator, HttpMethod.PUT, "{\"note\": \"no decision\"}").getStatusCode().value()).isEqualTo(400);
        assertThat(call(administrator, HttpMethod.PUT, "not json").getStatusCode().value()).isEqualTo(400);
        assertThat(rest.exchange("/api/accounts/" + account.accountId() + "/removal-policy", HttpMethod.GET, null,
                String.class).getStatusCode().value()).as("anonymous").isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from removal_policy where account_id = :a").param("a", account.accountId())
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from security_event where kind = 'REMOVAL_POLICY_REFUSED' and username = :u")
                .param("u", fixtures.username(other, Role.ADMINISTRATOR)).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void theAuditorsReadWhoApprovedWhichRound() throws Exception {
        call(administrator, HttpMethod.PUT, "{\"deletionApprovalRequired\": true}");
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE); // the Administrator approves the Manager's
        driver.runJobs(removal);

        long removalId = jdbc.sql("select id from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(Long.class).single();
        JsonNode audit = new ObjectMapper().readTree(rest.withBasicAuth("auditor", PlatformFixtures.PASSWORD)
                .getForObject("/api/audit/removals/" + removalId, String.class));
        assertThat(audit.path("removal").path("status").asText()).isEqualTo("DELETED");
        JsonNode approval = audit.path("approvals").path(0);
        assertThat(approval.path("round").asInt()).isEqualTo(1);
        assertThat(approval.path("decision").asText()).isEqualTo("APPROVED");
        assertThat(approval.path("decidedBy").asText()).isEqualTo(administrator);
        assertThat(approval.path("requiredBecause").asText()).contains("removal policy");
        assertThat(audit.path("timeline").toString()).contains("deletion approved (round 1)")
                .contains("second Administrator's decision");
        assertThat(audit.path("approvals").size()).isEqualTo(1);
    }

    private ResponseEntity<String> call(String user, HttpMethod method, String body) {
        return callAccount(user, account.accountId(), method, body);
    }

    private ResponseEntity<String> callAccount(String user, long accountId, HttpMethod method, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return rest.withBasicAuth(user, PlatformFixtures.PASSWORD).exchange("/api/accounts/" + accountId
                + "/removal-policy", method, new HttpEntity<>(body, headers), String.class);
    }

    private static JsonNode json(ResponseEntity<String> response) throws Exception {
        return new ObjectMapper().readTree(response.getBody());
    }
}
