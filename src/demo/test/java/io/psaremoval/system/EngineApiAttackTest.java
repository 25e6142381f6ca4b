package io.psaremoval.system;

import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_DECISION;
import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.system.EngineApi.Door;
import io.psaremoval.system.EngineApi.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The attacks found against the engine's generic API, each tried through both doors (the REST API and the API
 * behind Tasklist) by a signed-in user of the platform: each is refused with a clear 4xx, a security event is
 * recorded, and the removal, its integration and the account's data are exactly as before.
 */
@PlatformTest
class EngineApiAttackTest {

    @LocalServerPort
    int port;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    ProcessEngine engine;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    io.psaremoval.removal.DeletionApprovals approvals;
    @Autowired
    io.psaremoval.removal.RemovalSettings settings;

    GeneratedAccount account;
    String manager;
    String editor;
    ProcessInstance removal;
    String accountBefore;

    /** A Manager's removal, reserved and waiting for the way to remove; an Editor of the same account. */
    @BeforeEach
    void aRemovalWaitingForItsMode() {
        account = fixtures.create();
        manager = fixtures.username(account, Role.MANAGER);
        editor = fixtures.username(account, Role.EDITOR);
        removal = driver.start(manager);
        driver.complete(manager, removal, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE"));
        driver.runJobs(removal);
        accountBefore = fixtures.accountChecksum(account.accountId());
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void anEditorCannotStartInTheMiddleOfTheModel(Door door) {
        EngineApi api = EngineApi.as(port, door, editor);
        long instances = instances();
        String instructions = """
                {"skipCustomListeners": true, "skipIoMappings": true,
                 "startInstructions": [
                   {"type": "startBeforeActivity", "activityId": "Task_IdentifyRequester"},
                   {"type": "startBeforeActivity", "activityId": "Task_ReserveIntegration",
                    "variables": {"integrationId": {"value": "%d"}}},
                   {"type": "startBeforeActivity", "activityId": "UserTask_ConfirmDeletion"}]}"""
                .formatted(account.psaIntegrationId());

        assertForbidden(api.post("process-definition/key/RemovePsaIntegration/start", instructions));
        assertForbidden(api.post("process-definition/key/RemovePsaIntegration/start", """
                {"startInstructions": [{"type": "startBeforeActivity", "activityId": "UserTask_ConfirmDeletion"}]}"""));
        // Skip flags without instructions the engine refuses itself.
        Response skipping = api.post("process-definition/key/RemovePsaIntegration/start", """
                {"skipCustomListeners": true, "variables": {"removalReason": {"value": "x"}}}""");
        assertThat(skipping.status()).as(skipping.toString()).isIn(400, 403);

        assertThat(instances()).isEqualTo(instances);
        assertRefusalsRecorded(editor, 2);
        assertUnchanged();
    }

    /**
     * Nobody fills the engine with removals: a person who asked for {@code psa.removal.max-requests-per-day} removals
     * in the last 24 hours is refused the next start with 400, through either door, and nothing of it is started;
     * requests older than a day do not count.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyAsksForMoreRemovalsADayThanAllowed(Door door) {
        EngineApi api = EngineApi.as(port, door, editor);
        String start = "{\"variables\": {\"removalReason\": {\"value\": \"again\"}}}";
        jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id, status,
                                     started_at, ended_at)
                select 'earlier-' || :u || n, 'earlier-' || :u || n, :u, 'EDITOR', :a, 'NOT_PERMITTED',
                       now() - interval '2 days', now() - interval '2 days'
                from generate_series(1, :limit) n""")
                .param("u", editor).param("a", account.accountId()).param("limit", settings.maxRequestsPerDay()).update();
        Response allowed = api.post("process-definition/key/RemovePsaIntegration/start", start);
        assertThat(allowed.status()).as("older than a day: " + allowed).isEqualTo(200);
        jdbc.sql("update removal set started_at = now() - interval '1 hour' where requested_by = :u")
                .param("u", editor).update();
        long instances = instances();

        Response refused = api.post("process-definition/key/RemovePsaIntegration/start", start);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.message()).contains("You asked for " + (settings.maxRequestsPerDay() + 1)
                + " removals in the last 24 hours");
        assertThat(instances()).isEqualTo(instances);
        assertThat(jdbc.sql("select count(*) from removal where requested_by = :u").param("u", editor)
                .query(Long.class).single()).isEqualTo(settings.maxRequestsPerDay() + 1);
        assertThat(jdbc.sql("select count(*) from security_event where username = :u and kind = 'START_REFUSED'")
                .param("u", editor).query(Long.class).single()).isOne();
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyStartsARemovalInAnotherPersonsName(Door door) {
        GeneratedAccount other = fixtures.create();
        String otherAdministrator = fixtures.username(other, Role.ADMINISTRATOR);
        EngineApi api = EngineApi.as(port, door, editor);
        long instances = instances();
        String forged = """
                {"variables": {"removalReason": {"value": "x"}, "initiator": {"value": "%s"}}}""".formatted(otherAdministrator);

        for (String operation : List.of("start", "submit-form")) {
            Response response = api.post("process-definition/key/RemovePsaIntegration/" + operation, forged);
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.message()).contains("refused: [initiator]");
        }
        Response businessKey = api.post("process-definition/key/RemovePsaIntegration/start", """
                {"businessKey": "removal-of-someone-else", "variables": {"removalReason": {"value": "x"}}}""");
        assertThat(businessKey.status()).as(businessKey.toString()).isEqualTo(400);

        assertThat(instances()).isEqualTo(instances);
        assertThat(jdbc.sql("select count(*) from removal where requested_by = :u").param("u", otherAdministrator)
                .query(Long.class).single()).isZero();
        assertRefusalsRecorded(editor, 3);
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void everyPathVariantOfCompletingIsCheckedAlike(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String task = openTask();
        String extraField = """
                {"variables": {"removalMode": {"value": "DISCONNECT"}, "confirmationText": {"value": "x"}}}""";

        for (String path : List.of("task/%s/complete", "task/%s/complete/", "task/%s/complete;x=1",
                "task/%s/submit-form", "task/%s/submit-form/", "task/%s/%%63omplete")) {
            Response response = api.post(path.formatted(task), extraField);
            assertThat(response.status()).as(path + " " + response).isIn(400, 404);
            if (response.status() == 400) {
                assertThat(response.message()).contains("refused: [confirmationText]");
            }
        }
        for (String path : List.of("process-instance/%s/variables/removalMode", "process-instance/%s/variables;x=1/removalMode",
                "task/%s/variables/removalMode")) {
            String id = path.startsWith("task") ? task : removal.getId();
            Response response = api.send("PUT", path.formatted(id), "{\"value\": \"DELETE\"}", "application/json");
            assertThat(response.status()).as(path + " " + response).isIn(403, 404);
        }

        assertThat(openTask()).isEqualTo(task);
        assertThat(engine.getRuntimeService().getVariable(removal.getId(), "removalMode")).isNull();
        assertUnchanged();
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void theAssigneeCannotEndTheRemovalWithAnErrorOrAnEscalation(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String task = openTask();

        assertForbidden(api.post("task/" + task + "/bpmnError", "{\"errorCode\": \"X\"}"));
        assertForbidden(api.post("task/" + task + "/bpmnEscalation", "{\"escalationCode\": \"X\"}"));
        // The model's own escalations (cancel, expiry) are the model's to throw, not the assignee's.
        assertForbidden(api.post("task/" + task + "/bpmnEscalation", "{\"escalationCode\": \"REMOVAL_CANCELLED\"}"));
        assertForbidden(api.post("task/" + task + "/bpmnEscalation", "{\"escalationCode\": \"REMOVAL_EXPIRED\"}"));
        assertForbidden(api.post("task/" + task + "/delegate", "{\"userId\": \"" + editor + "\"}"));
        assertForbidden(api.post("process-instance/" + removal.getId() + "/modification", """
                {"skipCustomListeners": true, "instructions": [{"type": "startBeforeActivity",
                 "activityId": "Task_HardDeleteIntegration"}]}"""));
        assertForbidden(api.send("DELETE", "process-instance/" + removal.getId(), null, null));

        assertThat(openTask()).isEqualTo(task);
        assertRefusalsRecorded(manager, 7);
        assertUnchanged();
    }

    /**
     * The confirmed scope cannot be walked around: nobody puts a token on "Confirm the changed deletion" (with or
     * without listeners), sets the variables that would send the loop there or make a forged task look waiting
     * ({@code scopeChanged}, {@code scopeDecision}), or answers the scope's question on another form; the removal's
     * row, not the variables, says whether it waits for a changed scope.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyWalksAroundTheConfirmedScope(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String task = openTask();

        for (String skip : List.of("true", "false")) {
            assertForbidden(api.post("process-instance/" + removal.getId() + "/modification", """
                    {"skipCustomListeners": %s, "instructions": [{"type": "startBeforeActivity",
                     "activityId": "UserTask_ConfirmChangedDeletion"}]}""".formatted(skip)));
        }
        assertForbidden(api.send("PUT", "process-instance/" + removal.getId() + "/variables/scopeChanged",
                "{\"value\": true, \"type\": \"Boolean\"}", "application/json"));
        Response forged = api.post("task/" + task + "/complete", """
                {"variables": {"removalMode": {"value": "DELETE"}, "scopeDecision": {"value": "GO_ON"},
                               "scopeChanged": {"value": true, "type": "Boolean"}}}""");
        assertThat(forged.status()).as(forged.toString()).isEqualTo(400);
        assertThat(forged.message()).contains("refused: [scopeChanged, scopeDecision]");

        assertThat(openTask()).isEqualTo(task);
        assertThat(engine.getRuntimeService().getVariable(removal.getId(), "scopeChanged")).isNull();
        assertThat(jdbc.sql("select scope_round from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(Integer.class).single()).as("the preview's round is the contract").isEqualTo(1);
        assertUnchanged();
    }

    /**
     * A changed deletion is confirmed only with the integration's name typed again: completing "Confirm the changed
     * deletion" with the decision alone, through either door, is refused (the name typed for the first round no longer
     * counts, nor is it offered in the form), and nothing more is deleted.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void aChangedDeletionNeedsTheNameTypedAgain(Door door) {
        String name = fixtures.integrationName(account.psaIntegrationId());
        driver.complete(manager, removal, Map.of("removalMode", "DELETE"));
        driver.complete(manager, removal, Map.of("deletionDecision", "DELETE", "confirmationText", name));
        jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, body)
                select account_id, id, 'DOCUMENT', 'Added after the confirmation', 'new' from organization
                where psa_integration_id = :psa order by id desc limit 1""").param("psa", account.psaIntegrationId()).update();
        driver.runJobs(removal);
        Task changed = engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult();
        assertThat(changed.getTaskDefinitionKey()).isEqualTo("UserTask_ConfirmChangedDeletion");
        assertThat(engine.getRuntimeService().getVariable(removal.getId(), "confirmationText"))
                .as("the first round's name is not offered again").isNull();
        String before = fixtures.accountChecksum(account.accountId());

        Response decisionAlone = EngineApi.as(port, door, manager).post("task/" + changed.getId() + "/complete", """
                {"variables": {"scopeDecision": {"value": "GO_ON"}}}""");

        assertThat(decisionAlone.status()).as(decisionAlone.toString()).isEqualTo(400);
        assertThat(decisionAlone.message()).contains("does not match the integration's name");
        assertThat(openTask()).isEqualTo(changed.getId());
        assertThat(removalRow("status")).isEqualTo("SCOPE_CHANGED");
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing more deleted").isEqualTo(before);

        Response typedAgain = EngineApi.as(port, door, manager).post("task/" + changed.getId() + "/complete", """
                {"variables": {"scopeDecision": {"value": "GO_ON"}, "confirmationText": {"value": "%s"}}}""".formatted(name));
        assertThat(typedAgain.status()).as(typedAgain.toString()).isEqualTo(204);
        assertThat(removalRow("status")).isEqualTo("CONFIRMED");
    }

    /**
     * Four eyes cannot be walked around: an Administrator who asked for a deletion cannot take or complete its approval,
     * submit the approval's form, set the decision as a variable, or move the removal past the approval, through either
     * door; the approval stays undecided and nothing is deleted. (Past the engine's guards, the delete itself refuses
     * without the approval: see the process test.)
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyApprovesTheirOwnDeletionOrWalksAroundTheApproval(Door door) {
        GeneratedAccount other = fixtures.create();
        String administrator = fixtures.username(other, Role.ADMINISTRATOR);
        approvals.setPolicy(other.accountId(), true, administrator, null);
        ProcessInstance deletion = driver.confirmDeletion(other, administrator);
        Task approval = driver.openTask(deletion, false);
        assertThat(approval.getTaskDefinitionKey()).isEqualTo("UserTask_ApproveDeletion");
        String before = fixtures.accountChecksum(other.accountId());
        EngineApi api = EngineApi.as(port, door, administrator);

        Response claim = api.post("task/" + approval.getId() + "/claim", "{\"userId\": \"" + administrator + "\"}");
        assertThat(claim.status()).as(claim.toString()).isEqualTo(400);
        assertThat(claim.message()).contains("asked for this removal or confirmed it: a second Administrator approves it");
        String approve = "{\"variables\": {\"approvalDecision\": {\"value\": \"APPROVE\"}}}";
        assertForbidden(api.post("task/" + approval.getId() + "/complete", approve));
        assertForbidden(api.post("task/" + approval.getId() + "/submit-form", approve));
        for (String skip : List.of("true", "false")) {
            assertForbidden(api.post("process-instance/" + deletion.getId() + "/modification", """
                    {"skipCustomListeners": %s, "instructions": [{"type": "cancel", "activityId": "UserTask_ApproveDeletion"},
                     {"type": "startBeforeActivity", "activityId": "Gateway_SnapshotToTake"}]}""".formatted(skip)));
        }
        assertForbidden(api.send("PUT", "process-instance/" + deletion.getId() + "/variables/approvalDecision",
                "{\"value\": \"APPROVE\"}", "application/json"));

        Task still = driver.openTask(deletion, false);
        assertThat(still.getId()).isEqualTo(approval.getId());
        assertThat(still.getAssignee()).isNull();
        assertApprovalUndecided(deletion);
        assertThat(removalRow(deletion, "status")).isEqualTo("CONFIRMED");
        assertThat(fixtures.accountChecksum(other.accountId())).isEqualTo(before);
        assertRefusalsRecorded(administrator, 6);
    }

    /**
     * A deletion that waits for a second Administrator is withdrawn by its requester only, through either door: the
     * Administrator who would approve it and another account's Administrator cannot claim or complete the requester's
     * task, nobody throws the removal's "cancelled" escalation at the approval, and the requester cannot smuggle a
     * decision into the withdrawal. The requester then withdraws it through the same door: nothing deleted.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void onlyTheRequesterWithdrawsADeletionThatWaitsForApproval(Door door) {
        GeneratedAccount victim = fixtures.create();
        String approver = fixtures.username(victim, Role.ADMINISTRATOR);
        approvals.setPolicy(victim.accountId(), true, approver, null);
        String requester = fixtures.username(victim, Role.MANAGER);
        ProcessInstance deletion = driver.confirmDeletion(victim, requester);
        Task withdraw = driver.openTask(deletion, true);
        Task approval = driver.openTask(deletion, false);
        assertThat(withdraw.getAssignee()).isEqualTo(requester);
        String before = fixtures.accountChecksum(victim.accountId());
        String withdrawIt = "{\"variables\": {\"withdrawDecision\": {\"value\": \"WITHDRAW\"},"
                + " \"withdrawNote\": {\"value\": \"Not yours\"}}}";
        String stranger = fixtures.username(fixtures.create(), Role.ADMINISTRATOR);

        for (String user : List.of(approver, stranger)) {
            EngineApi api = EngineApi.as(port, door, user);
            assertRefusedAsUnseen(api.post("task/" + withdraw.getId() + "/complete", withdrawIt));
            assertRefusedAsUnseen(api.post("task/" + withdraw.getId() + "/submit-form", withdrawIt));
            assertRefusedAsUnseen(api.post("task/" + withdraw.getId() + "/claim", "{\"userId\": \"" + user + "\"}"));
            Response escalation = api.post("task/" + approval.getId() + "/bpmnEscalation",
                    "{\"escalationCode\": \"REMOVAL_CANCELLED\"}");
            if (user.equals(approver)) {
                assertForbidden(escalation); // a task they may read and work on: the operation is what is refused
            } else {
                assertRefusedAsUnseen(escalation); // another account's task: as if it did not exist
            }
            assertRefusalsRecorded(user, 4);
        }
        EngineApi own = EngineApi.as(port, door, requester);
        assertForbidden(own.post("task/" + withdraw.getId() + "/bpmnEscalation",
                "{\"escalationCode\": \"REMOVAL_CANCELLED\"}"));
        Response givenBack = own.post("task/" + withdraw.getId() + "/unclaim", "");
        assertForbidden(givenBack);
        assertThat(givenBack.message()).as("given back, it would be offered to no one").contains("is yours alone");
        assertThat(driver.openTask(deletion, true).getAssignee()).as("still the requester's").isEqualTo(requester);
        assertThat(driver.openTask(deletion, false).getAssignee()).as("still offered, unclaimed").isNull();
        Response byAnOperator = operator().post("task/" + withdraw.getId() + "/complete", withdrawIt);
        assertThat(byAnOperator.status()).as("an engine operator passes the guards, not the record: " + byAnOperator)
                .isEqualTo(400);
        assertThat(byAnOperator.message()).contains("Only " + requester + ", who asked for removal");
        Response smuggled = own.post("task/" + withdraw.getId() + "/complete", """
                {"variables": {"withdrawDecision": {"value": "WITHDRAW"}, "withdrawNote": {"value": "Wrong one"},
                               "approvalDecision": {"value": "APPROVE"}}}""");
        assertThat(smuggled.status()).as(smuggled.toString()).isEqualTo(400);
        assertThat(smuggled.message()).contains("refused: [approvalDecision]");
        assertThat(removalRow(deletion, "status")).isEqualTo("CONFIRMED");
        assertApprovalUndecided(deletion);

        Response withdrawn = own.post("task/" + withdraw.getId() + "/complete", """
                {"variables": {"withdrawDecision": {"value": "WITHDRAW"}, "withdrawNote": {"value": "Wrong one"}}}""");
        assertThat(withdrawn.status()).as(withdrawn.toString()).isEqualTo(204);
        driver.runJobs(deletion);
        assertThat(removalRow(deletion, "status")).isEqualTo("CANCELLED");
        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(deletion.getId()).count()).isZero();
        assertThat(fixtures.integrationStatus(victim.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(fixtures.accountChecksum(victim.accountId())).isEqualTo(before);
    }

    /**
     * A pending deletion is cancelled only by an Administrator of its account and purged only once its cooling-off
     * period is over, through either door: the requester (a Manager) and another account's Administrator cannot cancel
     * it; nobody executes the purge's timer early, moves its due date, moves the removal to its delete, sets the
     * variable the timer reads, or smuggles variables into the cancel. Nothing is purged, nothing comes back in sight
     * but by the cancel.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyPurgesAPendingDeletionEarlyOrCancelsAnotherAccounts(Door door) {
        GeneratedAccount victim = fixtures.create();
        String administrator = fixtures.username(victim, Role.ADMINISTRATOR);
        approvals.setCoolingOff(victim.accountId(), java.time.Duration.ofDays(7), administrator, null);
        ProcessInstance deletion = driver.decide(victim, io.psaremoval.removal.RemovalMode.DELETE);
        driver.runJobs(deletion);
        Task cancel = engine.getTaskService().createTaskQuery().processInstanceId(deletion.getId()).singleResult();
        assertThat(cancel.getTaskDefinitionKey()).isEqualTo("UserTask_CancelPendingDeletion");
        String timer = engine.getManagementService().createJobQuery().processInstanceId(deletion.getId()).timers()
                .singleResult().getId();
        String before = fixtures.accountChecksum(victim.accountId());
        String cancelIt = "{\"variables\": {\"pendingDecision\": {\"value\": \"CANCEL_DELETION\"},"
                + " \"cancelNote\": {\"value\": \"Not yours\"}}}";
        String requester = fixtures.username(victim, Role.MANAGER);
        String stranger = fixtures.username(fixtures.create(), Role.ADMINISTRATOR);

        for (String user : List.of(requester, stranger)) {
            EngineApi api = EngineApi.as(port, door, user);
            assertRefusedAsUnseen(api.post("task/" + cancel.getId() + "/complete", cancelIt));
            assertRefusedAsUnseen(api.post("task/" + cancel.getId() + "/submit-form", cancelIt));
            assertThat(api.post("task/" + cancel.getId() + "/claim", "{\"userId\": \"" + user + "\"}").status())
                    .isIn(403, 404);
        }
        for (String user : List.of(requester, administrator)) {
            EngineApi api = EngineApi.as(port, door, user);
            assertForbidden(api.post("job/" + timer + "/execute", ""));
            assertForbidden(api.send("PUT", "job/" + timer + "/duedate", "{\"duedate\": \"2020-01-01T00:00:00.000+0000\"}",
                    "application/json"));
            for (String skip : List.of("true", "false")) {
                assertForbidden(api.post("process-instance/" + deletion.getId() + "/modification", """
                        {"skipCustomListeners": %s, "instructions": [{"type": "cancel", "activityId": "UserTask_CancelPendingDeletion"},
                         {"type": "startBeforeActivity", "activityId": "Task_HardDeleteIntegration"}]}""".formatted(skip)));
            }
            assertForbidden(api.send("PUT", "process-instance/" + deletion.getId() + "/variables/purgeAfter",
                    "{\"value\": \"2020-01-01T00:00:00.000+0000\", \"type\": \"Date\"}", "application/json"));
        }
        EngineApi own = EngineApi.as(port, door, administrator);
        Response claimed = own.post("task/" + cancel.getId() + "/claim", "{\"userId\": \"" + administrator + "\"}");
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(204);
        Response smuggled = own.post("task/" + cancel.getId() + "/complete", """
                {"variables": {"pendingDecision": {"value": "CANCEL_DELETION"}, "cancelNote": {"value": "Changed our mind"},
                               "purgeAfter": {"value": "2020-01-01T00:00:00.000+0000", "type": "Date"}}}""");
        assertThat(smuggled.status()).as(smuggled.toString()).isEqualTo(400);
        assertThat(smuggled.message()).contains("refused: [purgeAfter]");

        assertThat(removalRow(deletion, "status")).isEqualTo("PENDING_DELETION");
        assertThat(fixtures.accountChecksum(victim.accountId())).isEqualTo(before);
        assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                victim.psaIntegrationId())).isZero();
        assertRefusalsRecorded(requester, 1);

        Response cancelled = own.post("task/" + cancel.getId() + "/complete", """
                {"variables": {"pendingDecision": {"value": "CANCEL_DELETION"}, "cancelNote": {"value": "Changed our mind"}}}""");
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(204);
        assertThat(removalRow(deletion, "status")).isEqualTo("CANCELLED");
        assertThat(fixtures.accountChecksum(victim.accountId())).isEqualTo(before);
        assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                victim.psaIntegrationId())).isEqualTo(fixtures.count(
                "select count(*) from organization where psa_integration_id = :p", victim.psaIntegrationId()));
    }

    /**
     * A restore of deleted PSA data is an Administrator's, of their own account's snapshots only, through either door:
     * an Editor's start is refused with the reason; another account's snapshot (or one that does not exist) is refused
     * at the choice; nobody moves a restore to its write step, sets its variables or skips its check. Nothing is written.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyRestoresAnotherAccountsDataOrWalksAroundTheRestoresChecks(Door door) {
        GeneratedAccount victim = fixtures.create();
        driver.remove(victim, io.psaremoval.removal.RemovalMode.DELETE);
        long victimsSnapshot = jdbc.sql("""
                select max(id) from account_backup where kind = 'SCOPE_SNAPSHOT' and account_id = :a""")
                .param("a", victim.accountId()).query(Long.class).single();
        GeneratedAccount own = fixtures.create();
        driver.remove(own, io.psaremoval.removal.RemovalMode.DELETE);
        String victimBefore = fixtures.accountChecksum(victim.accountId());
        String ownBefore = fixtures.accountChecksum(own.accountId());

        Response editorStart = EngineApi.as(port, door, fixtures.username(own, Role.EDITOR))
                .post("process-definition/key/RestoreDeletedPsaData/start", "{\"variables\": {}}");
        assertThat(editorStart.status()).as(editorStart.toString()).isEqualTo(400);
        assertThat(editorStart.message()).contains("only an Administrator of the account restores its deleted PSA data");

        String administrator = fixtures.username(own, Role.ADMINISTRATOR);
        EngineApi api = EngineApi.as(port, door, administrator);
        Response started = api.post("process-definition/key/RestoreDeletedPsaData/start",
                "{\"variables\": {\"restoreReason\": {\"value\": \"Wrong integration\"}}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        String restore = started.json().path("id").asText();
        String task = engine.getTaskService().createTaskQuery().processInstanceId(restore).singleResult().getId();
        for (String snapshot : List.of(String.valueOf(victimsSnapshot), "987654321")) {
            Response chosen = api.post("task/" + task + "/complete", """
                    {"variables": {"snapshotId": {"value": "%s"}, "restoreDecision": {"value": "RESTORE"}}}""".formatted(snapshot));
            assertThat(chosen.status()).as(chosen.toString()).isEqualTo(400);
            assertThat(chosen.message()).contains("is not one of your account's snapshots of deleted PSA data");
        }
        for (String skip : List.of("true", "false")) {
            assertForbidden(api.post("process-instance/" + restore + "/modification", """
                    {"skipCustomListeners": %s, "instructions": [{"type": "startBeforeActivity",
                     "activityId": "Task_RestoreSnapshot"}]}""".formatted(skip)));
        }
        assertForbidden(api.send("PUT", "process-instance/" + restore + "/variables/restorable",
                "{\"value\": true, \"type\": \"Boolean\"}", "application/json"));
        Response smuggled = api.post("task/" + task + "/complete", """
                {"variables": {"restoreDecision": {"value": "RESTORE"}, "snapshotId": {"value": "1"},
                               "restoreConfirmation": {"value": "RESTORE"}}}""");
        assertThat(smuggled.status()).as(smuggled.toString()).isEqualTo(400);
        assertThat(smuggled.message()).contains("refused: [restoreConfirmation]");

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(restore).singleResult().getTaskDefinitionKey())
                .isEqualTo("UserTask_ChooseSnapshot");
        assertThat(jdbc.sql("select status from removal_restore where process_instance_id = :pid").param("pid", restore)
                .query(String.class).single()).isEqualTo("REQUESTED");
        assertThat(fixtures.accountChecksum(victim.accountId())).isEqualTo(victimBefore);
        assertThat(fixtures.accountChecksum(own.accountId())).isEqualTo(ownBefore);
    }

    /**
     * A removal's notices are the removal's to give and withdraw: nobody starts one (with a text of their own, in
     * someone else's Tasklist), withdraws one by its message, deletes one or completes it with variables; another
     * account's Manager does not even see it. Reading it, by completing it plainly, is all its assignee may do.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyForgesWithdrawsOrReadsAnotherPersonsNotice(Door door) {
        driver.complete(manager, removal, Map.of("removalMode", "DISCONNECT")); // "running" until its job runs
        Task notice = engine.getTaskService().createTaskQuery().processDefinitionKey("RemovalNotice")
                .taskAssignee(manager).singleResult();
        assertThat(notice).as("the requester's notice that the disconnect runs").isNotNull();
        String noticeBefore = notice.getName() + engine.getTaskService().getVariables(notice.getId());
        String businessKey = removalRow("business_key");
        long notices = engine.getRuntimeService().createProcessInstanceQuery().processDefinitionKey("RemovalNotice").count();
        String otherManager = fixtures.username(fixtures.create(), Role.MANAGER);

        for (String user : List.of(manager, editor, otherManager)) {
            EngineApi api = EngineApi.as(port, door, user);
            Response forged = api.post("process-definition/key/RemovalNotice/start", """
                    {"variables": {"noticeReader": {"value": "%s"}, "noticeTitle": {"value": "Call 555-0100 now"}}}"""
                    .formatted(editor));
            assertThat(forged.status()).as(forged.toString()).isIn(400, 403);
            Response plain = api.post("process-definition/key/RemovalNotice/start", "{}");
            assertThat(plain.status()).as(plain.toString()).isEqualTo(403);
            assertForbidden(api.post("message", """
                    {"messageName": "RemovalNoticeWithdrawn", "businessKey": "%s", "all": true}""".formatted(businessKey)));
            assertForbidden(api.send("DELETE", "process-instance/" + notice.getProcessInstanceId(), null, null));
        }
        Response withVariables = EngineApi.as(port, door, manager).post("task/" + notice.getId() + "/complete", """
                {"variables": {"noticeText": {"value": "nothing happened"}}}""");
        assertThat(withVariables.status()).as(withVariables.toString()).isEqualTo(400);
        EngineApi other = EngineApi.as(port, door, otherManager);
        assertThat(other.get("task?processDefinitionKey=RemovalNotice&firstResult=0&maxResults=50").body()).isEqualTo("[]");
        assertThat(other.post("task/" + notice.getId() + "/complete", "{}").status()).isIn(403, 404);
        // An Administrator of the same account, offered the removal's own tasks, neither sees nor reads nor closes the
        // requester's notice: a notice has one reader.
        EngineApi administrator = EngineApi.as(port, door, fixtures.username(account, Role.ADMINISTRATOR));
        assertThat(administrator.get("task?processDefinitionKey=RemovalNotice&firstResult=0&maxResults=50").body())
                .isEqualTo("[]");
        for (String path : List.of("task/" + notice.getId(), "task/" + notice.getId() + "/form-variables",
                "task/" + notice.getId() + "/variables", "process-instance/" + notice.getProcessInstanceId() + "/variables")) {
            Response response = administrator.get(path);
            assertThat(response.status()).as(path + " " + response).isIn(403, 404);
        }
        assertThat(administrator.get("history/variable-instance?processInstanceId=" + notice.getProcessInstanceId()
                + "&firstResult=0&maxResults=50")
                .body()).as("the notice's history").isEqualTo("[]");
        assertThat(administrator.post("task/" + notice.getId() + "/complete", "{}").status()).isIn(403, 404);
        assertThat(administrator.post("task/" + notice.getId() + "/claim", "{\"userId\": \""
                + fixtures.username(account, Role.ADMINISTRATOR) + "\"}").status()).isIn(403, 404);

        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processDefinitionKey("RemovalNotice").count())
                .as("no notice started or ended").isEqualTo(notices);
        assertThat(notice.getName() + engine.getTaskService().getVariables(notice.getId())).isEqualTo(noticeBefore);
        assertThat(EngineApi.as(port, door, manager).get("task?processDefinitionKey=RemovalNotice&firstResult=0&maxResults=50")
                .body()).as("the assignee sees it in Tasklist").contains(notice.getId());
        Response read = EngineApi.as(port, door, manager).post("task/" + notice.getId() + "/complete", "{}");
        assertThat(read.status()).as("the assignee reads it: " + read).isEqualTo(204);
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void noExpressionACallerWritesIsEvaluated(Door door) throws Exception {
        EngineApi api = EngineApi.as(port, door, editor);
        Path evidence = Files.createTempFile("expression-evaluated-", ".txt");
        Files.delete(evidence);
        String expression = "${''.getClass().forName('java.nio.file.Files').getMethod('createFile', "
                + "''.getClass().forName('java.nio.file.Path'), ''.getClass().forName('[Ljava.nio.file.attribute.FileAttribute;'))"
                + ".invoke(null, ''.getClass().forName('java.nio.file.Path').getMethod('of', ''.getClass(), "
                + "''.getClass().forName('[Ljava.lang.String;')).invoke(null, '" + evidence + "', null), null)}";
        String filterId = engine.getFilterService().createFilterQuery().filterName("PSA integration removals").singleResult().getId();

        for (String property : List.of("assigneeExpression", "candidateGroupExpression", "dueDateExpression")) {
            String body = "{\"orQueries\": [{\"" + property + "\": \"" + expression.replace("\"", "\\\"") + "\"}]}";
            for (String path : List.of("task", "task/count", "filter/" + filterId + "/list", "filter/" + filterId + "/count")) {
                Response response = api.post(path, body);
                assertThat(response.status()).as(path + " " + property + " " + response).isEqualTo(400);
                assertThat(response.message()).contains("may not contain expressions");
            }
        }
        Response topLevel = api.post("task", "{\"assigneeExpression\": \"${currentUser()}\"}");
        assertThat(topLevel.status()).as(topLevel.toString()).isEqualTo(400);

        assertThat(evidence).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void textTheDatabaseCannotKeepIsRefusedWith400(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String task = openTask();
        long instances = instances();

        Response tooLong = api.post("process-definition/key/RemovePsaIntegration/start",
                "{\"variables\": {\"removalReason\": {\"value\": \"" + "x".repeat(4001) + "\"}}}");
        assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);
        assertThat(tooLong.message()).contains("4001 characters long");
        Response nul = api.post("process-definition/key/RemovePsaIntegration/start",
                "{\"variables\": {\"removalReason\": {\"value\": \"before\\u0000after\"}}}");
        assertThat(nul.status()).as(nul.toString()).isEqualTo(400);
        Response object = api.post("task/" + task + "/complete", """
                {"variables": {"removalMode": {"value": "{\\"a\\":1}", "type": "Object",
                 "valueInfo": {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"}}}}""");
        assertThat(object.status()).as(object.toString()).isEqualTo(400);
        assertThat(object.message()).contains("must be text, a number, a boolean or a date");

        assertThat(instances()).isEqualTo(instances);
        assertThat(openTask()).isEqualTo(task);
        assertUnchanged();
    }

    /**
     * The engine's own failure messages, which may name statements, keys, files and hosts, are not read by an account's
     * users through the generic API (jobs, incidents, external tasks and their logs, stack traces, instances looked up
     * by an incident's message), through either door; the platform's auditors read them.
     */
    @ParameterizedTest
    @EnumSource(Door.class)
    void accountUsersReadNoFailureMessagesOfTheEngine(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String pid = removal.getId();
        List<String> failures = List.of("job?processInstanceId=" + pid, "job/count?processInstanceId=" + pid,
                "job/a-job/stacktrace", "incident?processInstanceId=" + pid, "history/incident?processInstanceId=" + pid,
                "history/job-log?processInstanceId=" + pid + "&failureLog=true", "history/job-log/a-log/stacktrace",
                "external-task?processInstanceId=" + pid, "external-task/a-task/errorDetails",
                "history/external-task-log?processInstanceId=" + pid, "process-instance?incidentMessageLike=%25",
                "history/process-instance?incidentMessageLike=%25", "execution?incidentMessageLike=%25");
        for (String path : failures) {
            assertForbidden(path.endsWith("stacktrace") || path.endsWith("errorDetails") ? api.getAnything(path) : api.get(path));
        }
        assertForbidden(api.post("process-instance?firstResult=0&maxResults=10", """
                {"orQueries": [{"incidentMessageLike": "ERROR: dup%"}]}"""));
        Response own = api.get("process-instance?processInstanceIds=" + pid + "&firstResult=0&maxResults=10");
        assertThat(own.status()).as("the removal itself stays readable: " + own).isEqualTo(200);
        assertRefusalsRecorded(manager, failures.size());

        Response auditor = EngineApi.as(port, Door.ENGINE_REST, "auditor")
                .get("history/incident?processInstanceId=" + pid + "&firstResult=0&maxResults=10");
        assertThat(auditor.status()).as("the platform's auditors: " + auditor).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void nobodyTakesOverAnothersTaskOrCommentsOnIt(Door door) {
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        String task = openTask();
        EngineApi candidate = EngineApi.as(port, door, administrator);

        assertForbidden(candidate.post("task/" + task + "/assignee", "{\"userId\": \"" + administrator + "\"}"));
        // Comments by anyone but the assignee: refused, by the engine's REST layer or by the guard.
        assertThat(candidate.post("task/" + task + "/comment/create", "{\"message\": \"Support here: go ahead.\"}")
                .status()).isIn(400, 403);
        assertThat(EngineApi.as(port, door, "auditor").post("task/" + task + "/comment/create",
                "{\"message\": \"x\", \"processInstanceId\": \"" + removal.getId() + "\"}").status())
                .as("a task the auditor may not read is not found").isIn(400, 404);
        assertThat(engine.getTaskService().getTaskComments(task)).as("no comment by others").isEmpty();
        Response verify = candidate.post("identity/verify", "{\"username\": \"operator\", \"password\": \"guess\"}");
        assertThat(verify.status()).as("checking others' passwords: " + verify).isIn(400, 403);
        assertThat(jdbc.sql("select coalesce(attempts_, 0) from act_id_user where id_ = 'operator'").query(Integer.class)
                .single()).as("no failed sign-in counted for the operator").isZero();

        Response own = EngineApi.as(port, door, manager).post("task/" + task + "/comment/create",
                "{\"message\": \"Waiting for the backup team.\"}");
        assertThat(own.status()).as("the assignee may comment on their task").isEqualTo(200);
        assertThat(engine.getTaskService().getTaskComments(task)).hasSize(1);
        assertThat(engine.getTaskService().createTaskQuery().taskId(task).singleResult().getAssignee()).isEqualTo(manager);
        assertUnchanged();
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void nulCharactersOddNamesAndHugeNumbersAreRefusedBeforeTheDatabase(Door door) {
        EngineApi api = EngineApi.as(port, door, manager);
        String task = openTask();

        assertThat(api.get("task?name=%00&firstResult=0&maxResults=1").status()).isEqualTo(400);
        assertThat(api.post("task/" + task + "/complete", "{\"variables\": {\"x\\u0000\": {\"value\": \"a\"}}}").status())
                .isEqualTo(400);
        Response oddName = api.post("task/" + task + "/complete", "{\"variables\": {\"remo val\": {\"value\": \"a\"}}}");
        assertThat(oddName.status()).as(oddName.toString()).isEqualTo(400);
        Response huge = api.post("task/" + task + "/complete",
                "{\"variables\": {\"removalMode\": {\"value\": 123456789012345678901234567890}}}");
        assertThat(huge.status()).as(huge.toString()).isEqualTo(400);
        assertUnchanged();
    }

    @Test
    void credentialsWithANulAreA401() throws Exception {
        String credentials = java.util.Base64.getEncoder().encodeToString((manager + "\u0000:x").getBytes());
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port
                + "/engine-rest/task?firstResult=0&maxResults=1")).header("Authorization", "Basic " + credentials).GET().build();
        assertThat(java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
    }

    @Test
    void oversizedBodiesMalformedCredentialsAndAnonymousCallsGetA4xx() {
        EngineApi anonymous = EngineApi.anonymous(port, Door.ENGINE_REST);
        assertThat(anonymous.get("engine").status()).isEqualTo(401);
        assertThat(EngineApi.anonymous(port, Door.TASKLIST_API).get("task?firstResult=0&maxResults=1").status())
                .isEqualTo(401);

        EngineApi api = EngineApi.as(port, Door.ENGINE_REST, manager);
        Response huge = api.post("task/" + openTask() + "/complete",
                "{\"variables\": {\"removalMode\": {\"value\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}}}");
        assertThat(huge.status()).isEqualTo(413);

        for (String header : List.of("Basic !!!not-base64", "Basic " + java.util.Base64.getEncoder().encodeToString(
                "no-colon".getBytes()), "Bearer x")) {
            assertThat(auditApiWith(header)).as(header).isEqualTo(401);
        }
        assertUnchanged();
    }

    @Test
    void aRemovalThatTheOperatorEndsReleasesItsIntegration() {
        EngineApi operator = operator();
        Response deleted = operator.send("DELETE", "process-instance/" + removal.getId() + "?skipCustomListeners=true", null, null);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);

        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(removalRow("status")).isEqualTo("ABORTED");
        assertThat(removalRow("outcome_reason")).contains("deleted by operator");

        // An error thrown on a task without a boundary ends the instance without any of its end events: the same.
        ProcessInstance second = driver.start(manager);
        driver.complete(manager, second, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE"));
        driver.runJobs(second);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
        String task = engine.getTaskService().createTaskQuery().processInstanceId(second.getId()).singleResult().getId();
        assertThat(operator.post("task/" + task + "/bpmnError", "{\"errorCode\": \"X\"}").status()).isEqualTo(204);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(removalRow(second, "status")).isEqualTo("ABORTED");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(accountBefore);
    }

    // --- helpers -----------------------------------------------------------------------------------

    private EngineApi operator() {
        return EngineApi.asOperator(port);
    }

    private int auditApiWith(String authorization) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port
                    + "/api/audit/removals")).header("Authorization", authorization).GET().build();
            return java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String openTask() {
        return engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult().getId();
    }

    private long instances() {
        return engine.getHistoryService().createHistoricProcessInstanceQuery().count();
    }

    private String removalRow(String column) {
        return removalRow(removal, column);
    }

    private String removalRow(ProcessInstance of, String column) {
        return jdbc.sql("select " + column + " from removal where process_instance_id = :pid").param("pid", of.getId())
                .query(String.class).single();
    }

    /** The deletion's one approval, asked for and not decided. */
    private void assertApprovalUndecided(ProcessInstance deletion) {
        assertThat(approvals.of(Long.parseLong(removalRow(deletion, "id"))))
                .singleElement().satisfies(undecided -> assertThat(undecided.decision()).isNull());
    }

    /**
     * A task the caller may not read (offered to others alone, or another account's) is answered as one that does not
     * exist: not found, nothing told of it.
     */
    private static void assertRefusedAsUnseen(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(response.message()).contains("is not open").doesNotContain("assigned");
    }

    private static void assertForbidden(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.message()).isNotBlank();
    }

    private void assertRefusalsRecorded(String user, int atLeast) {
        assertThat(jdbc.sql("select count(*) from security_event where username = :u").param("u", user)
                .query(Long.class).single()).isGreaterThanOrEqualTo(atLeast);
    }

    /** The removal waits where it waited, still holds its integration, and the account's data is as it was. */
    private void assertUnchanged() {
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(removal.getId()).count())
                .as("the removal still runs").isEqualTo(1);
        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult()
                .getTaskDefinitionKey()).isEqualTo("UserTask_ChooseRemovalMode");
        assertThat(removalRow("status")).isEqualTo("PENDING");
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
        assertThat(fixtures.accountChecksum(account.accountId())).isEqualTo(accountBefore);
    }
}
