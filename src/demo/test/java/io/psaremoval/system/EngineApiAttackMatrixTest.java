package io.psaremoval.system;

import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_DECISION;
import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.Role;
import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.system.EngineApi.Door;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every state-changing operation that Camunda's own description of its REST API lists (its OpenAPI document), called
 * through both doors ({@code /engine-rest} and the API behind Tasklist) by every kind of caller against a running
 * removal, with the removal's real ids and, for the operations that could move it, a body that tries to. After each
 * call the removal, its variables, jobs, tasks and identity links, the engine's identities and authorizations, the
 * deployments and the account's data are compared with before: any change by a caller who may not make it fails the
 * test. A new operation in a later Camunda version is called too, so it fails the test instead of opening a hole.
 * The answers are printed as a table.
 */
@PlatformTest
class EngineApiAttackMatrixTest {

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");
    private static final Set<String> STATE_CHANGING = Set.of("post", "put", "delete");

    enum Caller {
        ANONYMOUS, READ_ONLY, EDITOR, REQUESTER, APPROVER, OTHER_ACCOUNTS_MANAGER, SUPPORT, AUDITOR
    }

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
    DeletionApprovals approvals;
    @Autowired
    RemovalService removals;

    GeneratedAccount account;
    GeneratedAccount otherAccount;
    String requester;
    ProcessInstance removal;
    Map<String, String> ids = new LinkedHashMap<>();
    /** What a forged completion of the task under attack sends: its own decision and more. */
    String forgedTaskForm;

    record Operation(String method, String path) implements Comparable<Operation> {
        @Override
        public int compareTo(Operation other) {
            return (path + method).compareTo(other.path + other.method);
        }

        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @Test
    void noCallerWhoMayNotChangesARemovalItsVariablesJobsOrIdentitiesThroughAnyOperation() throws Exception {
        aRemovalWaitingForItsMode();
        Map<Caller, String> callers = new LinkedHashMap<>();
        callers.put(Caller.ANONYMOUS, null);
        callers.put(Caller.READ_ONLY, fixtures.username(account, Role.READ_ONLY));
        callers.put(Caller.EDITOR, fixtures.username(account, Role.EDITOR));
        callers.put(Caller.REQUESTER, requester);
        callers.put(Caller.OTHER_ACCOUNTS_MANAGER, fixtures.username(otherAccount, Role.MANAGER));
        callers.put(Caller.SUPPORT, "support");
        callers.put(Caller.AUDITOR, "auditor");

        // The requester, a Manager, may give their task back (Tasklist's "unclaim"); nothing else changes anything.
        attack("a removal waiting for its mode", callers, Set.of("REQUESTER POST /task/{id}/unclaim"),
                () -> engine.getTaskService().setAssignee(ids.get("task"), requester));

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult()
                .getTaskDefinitionKey()).isEqualTo("UserTask_ChooseRemovalMode");
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
    }

    /**
     * The same operations against a deletion that waits for a second Administrator, its approval under attack: the
     * requester is an Administrator of the account (by their group a candidate of the approval) and another
     * Administrator is the approver. Only the approver may take the approval (claim it, or assign it to themselves); no
     * operation decides it, withdraws the deletion or moves the removal past the approval.
     */
    @Test
    void noCallerDecidesOrWalksAroundADeletionWaitingForASecondAdministratorThroughAnyOperation() throws Exception {
        account = fixtures.create();
        otherAccount = fixtures.create();
        requester = fixtures.username(account, Role.ADMINISTRATOR);
        String approver = fixtures.createUser(account, Role.ADMINISTRATOR);
        approvals.setPolicy(account.accountId(), true, requester, null);
        removal = driver.confirmDeletion(account, requester);
        String approval = driver.openTask(removal, false).getId();
        forgedTaskForm = """
                {"variables": {"approvalDecision": {"value": "APPROVE"}, "approvalNote": {"value": "x"},
                 "withdrawDecision": {"value": "WITHDRAW"}, "initiator": {"value": "%s"}}}""".formatted(approver);
        collectIds(approval);
        Map<Caller, String> callers = new LinkedHashMap<>();
        callers.put(Caller.EDITOR, fixtures.username(account, Role.EDITOR));
        callers.put(Caller.REQUESTER, requester);
        callers.put(Caller.APPROVER, approver);
        callers.put(Caller.OTHER_ACCOUNTS_MANAGER, fixtures.username(otherAccount, Role.ADMINISTRATOR));

        attack("a deletion waiting for a second Administrator", callers,
                Set.of("APPROVER POST /task/{id}/claim", "APPROVER POST /task/{id}/assignee"),
                () -> engine.getTaskService().setAssignee(approval, null));

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).list())
                .extracting(Task::getTaskDefinitionKey)
                .containsExactlyInAnyOrder("UserTask_ApproveDeletion", "UserTask_WithdrawDeletion");
        assertThat(approvals.of(removals.get(removal.getId()).id())).as("the approval undecided")
                .singleElement().satisfies(undecided -> assertThat(undecided.decision()).isNull());
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("REMOVING");
    }

    /**
     * Calls every state-changing operation through both doors as each caller, and compares the removal, the engine's
     * state and the account's data with before after each call: a change by a caller and operation ("CALLER METHOD
     * path") not in {@code allowed} is a violation, and each allowed one must have changed something through each door
     * (a refusal of what a person may do is a fault too). An allowed change is put back by {@code undo} before the next
     * call.
     */
    private void attack(String scene, Map<Caller, String> callers, Set<String> allowed, Runnable undo) throws Exception {
        List<Operation> operations = stateChangingOperations();
        assertThat(operations).as("the OpenAPI document lists the engine's operations").hasSizeGreaterThan(150);
        Map<Door, Map<Operation, Map<Caller, Integer>>> answers = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        List<String> serverErrors = new ArrayList<>();
        Map<Door, Set<String>> allowedChanges = new TreeMap<>();
        for (Door door : Door.values()) {
            allowedChanges.put(door, new TreeSet<>());
            Map<Caller, EngineApi> apis = new LinkedHashMap<>();
            callers.forEach((caller, user) -> apis.put(caller,
                    user == null ? EngineApi.anonymous(port, door) : EngineApi.as(port, door, user)));
            Map<String, String> before = snapshot();
            for (Operation operation : operations) {
                for (Map.Entry<Caller, EngineApi> entry : apis.entrySet()) {
                    Caller caller = entry.getKey();
                    EngineApi api = entry.getValue();
                    EngineApi.Response response = api.send(operation.method().toUpperCase(), fill(operation.path(), api),
                            operation.method().equals("delete") ? null : body(operation, api), "application/json");
                    answers.computeIfAbsent(door, d -> new TreeMap<>()).computeIfAbsent(operation, o -> new LinkedHashMap<>())
                            .put(caller, response.status());
                    if (response.status() >= 500) {
                        serverErrors.add(door + " " + operation + " as " + caller + ": " + response);
                    }
                    Map<String, String> after = snapshot();
                    if (!after.equals(before)) {
                        if (allowed.contains(caller + " " + operation)) {
                            allowedChanges.get(door).add(caller + " " + operation);
                        } else {
                            violations.add(door + " " + operation + " as " + caller + " (" + api.user() + ") changed "
                                    + changedParts(before, after) + ": " + response);
                        }
                        undo.run();
                        before = snapshot();
                    }
                }
            }
        }
        print(scene, callers.keySet(), answers);

        assertThat(violations).as("operations that changed what the caller may not change").isEmpty();
        assertThat(serverErrors).as("a refusal is a 4xx, never a 500").isEmpty();
        assertThat(allowedChanges).as("what a person may do, done through each door")
                .allSatisfy((door, done) -> assertThat(done).isEqualTo(new TreeSet<>(allowed)));
    }

    // --- the removal under attack --------------------------------------------------------------------------------

    private void aRemovalWaitingForItsMode() {
        account = fixtures.create();
        otherAccount = fixtures.create();
        requester = fixtures.username(account, Role.MANAGER);
        removal = driver.start(requester);
        driver.complete(requester, removal, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE"));
        driver.runJobs(removal);
        forgedTaskForm = """
                {"variables": {"removalMode": {"value": "DELETE"}, "confirmationText": {"value": "x"},
                 "initiator": {"value": "%s"}}}""".formatted(requester);
        collectIds(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult().getId());
    }

    /** The removal's own ids, for the operations' paths; {@code task} is the task under attack. */
    private void collectIds(String task) {
        Job timer = engine.getManagementService().createJobQuery().processInstanceId(removal.getId()).timers()
                .orderByJobId().asc().list().get(0);
        ids.put("task", task);
        ids.put("process-instance", removal.getId());
        ids.put("execution", removal.getId());
        ids.put("job", timer.getId());
        ids.put("job-definition", timer.getJobDefinitionId());
        ids.put("process-definition", removal.getProcessDefinitionId());
        ids.put("deployment", engine.getRepositoryService().getProcessDefinition(removal.getProcessDefinitionId()).getDeploymentId());
        ids.put("decision-definition", engine.getRepositoryService().createDecisionDefinitionQuery()
                .decisionDefinitionKey("RemovalPermission").latestVersion().singleResult().getId());
        ids.put("filter", engine.getFilterService().createFilterQuery().filterName("PSA integration removals").singleResult().getId());
        ids.put("group", AccountGroups.ofAccount(account.accountId()));
        ids.put("history/process-instance", removal.getId());
        ids.put("history/variable-instance", engine.getHistoryService().createHistoricVariableInstanceQuery()
                .processInstanceId(removal.getId()).variableName("integrationId").singleResult().getId());
    }

    // --- the operations, filled in -------------------------------------------------------------------------------

    private static List<Operation> stateChangingOperations() throws Exception {
        try (InputStream in = EngineApiAttackMatrixTest.class.getResourceAsStream("/openapi.json")) {
            JsonNode paths = new ObjectMapper().readTree(in).path("paths");
            List<Operation> operations = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                path.getValue().fieldNames().forEachRemaining(method -> {
                    if (STATE_CHANGING.contains(method)) {
                        operations.add(new Operation(method, path.getKey()));
                    }
                });
            }
            operations.sort(null);
            return operations;
        }
    }

    /** The path with the removal's own ids where it names one, and the caller's own name where it names a user. */
    private String fill(String path, EngineApi api) {
        Matcher parameter = PATH_PARAMETER.matcher(path);
        StringBuilder filled = new StringBuilder();
        while (parameter.find()) {
            String before = path.substring(0, parameter.start());
            String value = switch (parameter.group(1)) {
                case "id" -> ids.entrySet().stream()
                        .filter(entry -> before.equals("/" + entry.getKey() + "/"))
                        .map(Map.Entry::getValue).findFirst()
                        .orElse(before.startsWith("/user/") ? requester : "unknown-id");
                case "key" -> before.startsWith("/decision-definition") ? "RemovalPermission" : "RemovePsaIntegration";
                case "varName" -> "removalMode";
                case "userId" -> api.user();
                case "groupId" -> Role.ADMINISTRATOR.groupOf(account.accountId());
                default -> "unknown";
            };
            parameter.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        parameter.appendTail(filled);
        return filled.substring(1);
    }

    /** A body that tries to do harm where the operation could, else an empty object. */
    private String body(Operation operation, EngineApi api) {
        String pid = removal.getId();
        String variableChange = "{\"value\": \"DELETE\"}";
        String variablesChange = "{\"modifications\": {\"removalMode\": {\"value\": \"DELETE\"}}}";
        String start = """
                {"skipCustomListeners": true, "startInstructions": [{"type": "startBeforeActivity",
                 "activityId": "UserTask_ConfirmDeletion"}], "variables": {"initiator": {"value": "%s"}}}""".formatted(requester);
        String hardDeleteNow = """
                {"skipCustomListeners": true, "instructions": [{"type": "startBeforeActivity",
                 "activityId": "Task_HardDeleteIntegration"}]}""";
        return switch (operation.toString()) {
            case "POST /process-definition/key/{key}/start", "POST /process-definition/{id}/start",
                 "POST /process-definition/key/{key}/tenant-id/{tenant-id}/start" -> start;
            case "POST /process-definition/key/{key}/submit-form", "POST /process-definition/{id}/submit-form",
                 "POST /process-definition/key/{key}/tenant-id/{tenant-id}/submit-form",
                 "POST /task/{id}/complete", "POST /task/{id}/submit-form", "POST /task/{id}/resolve" -> forgedTaskForm;
            case "POST /process-instance/{id}/modification", "POST /process-instance/{id}/modification-async" -> hardDeleteNow;
            case "POST /modification/execute", "POST /modification/executeAsync" -> """
                    {"processDefinitionId": "%s", "processInstanceIds": ["%s"], "skipCustomListeners": true,
                     "instructions": [{"type": "startBeforeActivity", "activityId": "Task_HardDeleteIntegration"}]}"""
                    .formatted(removal.getProcessDefinitionId(), pid);
            case "POST /process-definition/{id}/restart", "POST /process-definition/{id}/restart-async" -> """
                    {"processInstanceIds": ["%s"], "instructions": [{"type": "startBeforeActivity",
                     "activityId": "Task_HardDeleteIntegration"}]}""".formatted(pid);
            case "POST /migration/execute", "POST /migration/executeAsync" -> """
                    {"migrationPlan": {"sourceProcessDefinitionId": "%1$s", "targetProcessDefinitionId": "%1$s",
                     "instructions": [{"sourceActivityIds": ["UserTask_ChooseRemovalMode"],
                                       "targetActivityIds": ["UserTask_ConfirmDeletion"]}]},
                     "processInstanceIds": ["%2$s"]}""".formatted(removal.getProcessDefinitionId(), pid);
            case "POST /message" -> "{\"messageName\": \"anyMessage\", \"processInstanceId\": \"" + pid + "\", \"all\": true}";
            case "POST /process-instance/message-async" -> "{\"messageName\": \"anyMessage\", \"processInstanceIds\": [\"" + pid + "\"]}";
            case "POST /signal" -> "{\"name\": \"anySignal\", \"executionId\": \"" + pid + "\"}";
            case "POST /task/{id}/bpmnError" -> "{\"errorCode\": \"REMOVAL_REFUSED\"}";
            // The removal's own "cancelled" escalation: thrown at a task, it would end the removal.
            case "POST /task/{id}/bpmnEscalation" -> "{\"escalationCode\": \"REMOVAL_CANCELLED\"}";
            case "POST /task/{id}/claim", "POST /task/{id}/assignee", "POST /task/{id}/delegate" ->
                    "{\"userId\": \"" + api.user() + "\"}";
            case "PUT /task/{id}" -> "{\"name\": \"Renamed\", \"assignee\": \"" + api.user() + "\"}";
            case "POST /task/{id}/identity-links" -> "{\"userId\": \"" + api.user() + "\", \"type\": \"candidate\"}";
            case "POST /task/{id}/identity-links/delete" ->
                    "{\"groupId\": \"" + Role.ADMINISTRATOR.groupOf(account.accountId()) + "\", \"type\": \"candidate\"}";
            case "POST /task/{id}/variables", "POST /task/{id}/localVariables", "POST /process-instance/{id}/variables",
                 "POST /execution/{id}/localVariables" -> variablesChange;
            case "PUT /task/{id}/variables/{varName}", "PUT /task/{id}/localVariables/{varName}",
                 "PUT /process-instance/{id}/variables/{varName}", "PUT /execution/{id}/localVariables/{varName}" ->
                    variableChange;
            case "POST /process-instance/variables-async" ->
                    "{\"processInstanceIds\": [\"" + pid + "\"], \"variables\": {\"removalMode\": {\"value\": \"DELETE\"}}}";
            case "PUT /job/{id}/retries", "PUT /job-definition/{id}/retries" -> "{\"retries\": 0}";
            case "POST /job/retries" -> "{\"jobIds\": [\"" + ids.get("job") + "\"], \"retries\": 0}";
            case "POST /process-instance/job-retries" -> "{\"processInstances\": [\"" + pid + "\"], \"retries\": 0}";
            case "PUT /job/{id}/duedate" -> "{\"duedate\": \"2020-01-01T00:00:00.000+0000\"}";
            case "PUT /job/{id}/priority", "PUT /job-definition/{id}/jobPriority" -> "{\"priority\": 99}";
            case "PUT /job/{id}/suspended", "PUT /process-instance/{id}/suspended", "PUT /job-definition/{id}/suspended",
                 "PUT /process-definition/{id}/suspended", "PUT /process-definition/key/{key}/suspended" ->
                    "{\"suspended\": true, \"includeProcessInstances\": true, \"includeJobs\": true}";
            case "PUT /job/suspended", "PUT /process-instance/suspended" ->
                    "{\"processInstanceIds\": [\"" + pid + "\"], \"processInstanceId\": \"" + pid + "\", \"suspended\": true}";
            case "POST /process-instance/suspended-async" -> "{\"processInstanceIds\": [\"" + pid + "\"], \"suspended\": true}";
            case "POST /process-instance/delete" -> "{\"processInstanceIds\": [\"" + pid + "\"], \"skipCustomListeners\": true}";
            case "POST /history/process-instance/delete" -> "{\"historicProcessInstanceIds\": [\"" + pid + "\"]}";
            case "POST /execution/{id}/create-incident" -> "{\"incidentType\": \"failedJob\", \"message\": \"x\"}";
            case "POST /external-task/fetchAndLock" -> """
                    {"workerId": "w", "maxTasks": 10, "topics": [{"topicName": "x", "lockDuration": 1000}]}""";
            case "POST /authorization/create" -> """
                    {"type": 1, "permissions": ["ALL"], "userId": "%s", "resourceType": 8, "resourceId": "*"}"""
                    .formatted(api.user());
            case "POST /user/create" -> "{\"profile\": {\"id\": \"intruder\"}, \"credentials\": {\"password\": \"intruder-1\"}}";
            case "PUT /user/{id}/credentials" -> "{\"password\": \"taken-over-1\", \"authenticatedUserPassword\": \""
                    + PlatformFixtures.PASSWORD + "\"}";
            case "PUT /user/{id}/profile" -> "{\"id\": \"" + requester + "\", \"firstName\": \"Changed\"}";
            case "POST /group/create" -> "{\"id\": \"camunda-admin-2\", \"name\": \"x\"}";
            case "POST /filter/create" -> "{\"resourceType\": \"Task\", \"name\": \"mine\", \"query\": {}}";
            default -> "{}";
        };
    }

    // --- what must not change ------------------------------------------------------------------------------------

    /** The removal (row, executions, task, variables, jobs, links, history), identities, authorizations, models, data. */
    private Map<String, String> snapshot() {
        List<String> names = new ArrayList<>(SNAPSHOT_PARTS.keySet());
        StringBuilder sql = new StringBuilder("select ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("md5(coalesce((").append(SNAPSHOT_PARTS.get(names.get(i))).append(")::text, ''))");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        jdbc.sql(sql.toString())
                .param("pid", removal.getId()).param("definition", removal.getProcessDefinitionId())
                .param("instance", Resources.PROCESS_INSTANCE.resourceType())
                .param("historicInstance", Resources.HISTORIC_PROCESS_INSTANCE.resourceType())
                .param("integration", account.psaIntegrationId())
                .query((rs, n) -> {
                    for (int i = 0; i < names.size(); i++) {
                        parts.put(names.get(i), rs.getString(i + 1));
                    }
                    return parts;
                }).single();
        parts.put("account data", fixtures.accountChecksum(account.accountId()));
        return parts;
    }

    private static final Map<String, String> SNAPSHOT_PARTS = new LinkedHashMap<>();

    static {
        SNAPSHOT_PARTS.put("executions", """
                select string_agg(concat_ws(',', id_, act_id_, is_active_, suspension_state_, business_key_), ';' order by id_)
                from act_ru_execution where proc_inst_id_ = :pid""");
        SNAPSHOT_PARTS.put("task", """
                select string_agg(concat_ws(',', id_, name_, assignee_, owner_, delegation_, suspension_state_, due_date_,
                    follow_up_date_, priority_), ';' order by id_) from act_ru_task where proc_inst_id_ = :pid""");
        SNAPSHOT_PARTS.put("variables", """
                select string_agg(concat_ws(',', name_, type_, text_, text2_, long_, double_, bytearray_id_), ';' order by name_, id_)
                from act_ru_variable where proc_inst_id_ = :pid""");
        SNAPSHOT_PARTS.put("jobs", """
                select string_agg(concat_ws(',', id_, retries_, duedate_, suspension_state_, priority_, lock_owner_), ';' order by id_)
                from act_ru_job where process_instance_id_ = :pid""");
        SNAPSHOT_PARTS.put("job definitions", """
                select string_agg(concat_ws(',', id_, suspension_state_, job_priority_), ';' order by id_)
                from act_ru_jobdef where proc_def_id_ = :definition""");
        SNAPSHOT_PARTS.put("task links", """
                select string_agg(concat_ws(',', type_, user_id_, group_id_), ';' order by type_, user_id_, group_id_)
                from act_ru_identitylink where task_id_ in (select id_ from act_ru_task where proc_inst_id_ = :pid)""");
        SNAPSHOT_PARTS.put("incidents and subscriptions", """
                select (select count(*) from act_ru_incident where proc_inst_id_ = :pid) || '/'
                    || (select count(*) from act_ru_event_subscr where proc_inst_id_ = :pid)""");
        SNAPSHOT_PARTS.put("users", "select string_agg(concat_ws(',', id_, pwd_, first_, last_, email_), ';' order by id_) from act_id_user");
        SNAPSHOT_PARTS.put("groups", "select string_agg(concat_ws(',', id_, name_, type_), ';' order by id_) from act_id_group");
        SNAPSHOT_PARTS.put("memberships", "select string_agg(user_id_ || '>' || group_id_, ';' order by user_id_, group_id_) from act_id_membership");
        SNAPSHOT_PARTS.put("authorizations", """
                select string_agg(concat_ws(',', type_, group_id_, user_id_, resource_type_, resource_id_, perms_), ';' order by id_)
                from act_ru_authorization where resource_type_ not in (:instance, :historicInstance) or resource_id_ = :pid""");
        SNAPSHOT_PARTS.put("tenants", "select count(*) from act_id_tenant");
        SNAPSHOT_PARTS.put("process definitions", """
                select string_agg(concat_ws(',', id_, suspension_state_, version_), ';' order by id_) from act_re_procdef""");
        SNAPSHOT_PARTS.put("deployments", "select count(*) from act_re_deployment");
        SNAPSHOT_PARTS.put("filters", "select string_agg(concat_ws(',', id_, name_, owner_), ';' order by id_) from act_ru_filter");
        SNAPSHOT_PARTS.put("batches", "select count(*) from act_ru_batch");
        SNAPSHOT_PARTS.put("history", """
                select (select count(*) from act_hi_procinst where proc_inst_id_ = :pid) || '/'
                    || (select count(*) from act_hi_varinst where proc_inst_id_ = :pid)""");
        SNAPSHOT_PARTS.put("removal", """
                select concat_ws(',', status, chosen_mode, confirmed_by, backup_id, bulk_delete_approved_by)
                from removal where process_instance_id = :pid""");
        SNAPSHOT_PARTS.put("integration", "select status from integration where id = :integration");
        SNAPSHOT_PARTS.put("approvals", """
                select string_agg(concat_ws(',', a.round, a.decision, a.decided_by, a.note), ';' order by a.round)
                from removal_approval a join removal r on r.id = a.removal_id where r.process_instance_id = :pid""");
    }

    private static List<String> changedParts(Map<String, String> before, Map<String, String> after) {
        return before.keySet().stream().filter(part -> !before.get(part).equals(after.get(part))).toList();
    }

    private static void print(String scene, Collection<Caller> callers,
            Map<Door, Map<Operation, Map<Caller, Integer>>> answers) {
        StringBuilder table = new StringBuilder("\nENGINE API ATTACK MATRIX, " + scene + ": HTTP status per operation and "
                + "caller " + callers.stream().map(caller -> caller.name().toLowerCase().replace('_', ' ')).toList() + "\n");
        answers.forEach((door, operations) -> {
            table.append("\n").append(door).append('\n');
            operations.forEach((operation, statuses) -> {
                table.append(String.format("  %-72s", operation));
                statuses.values().forEach(status -> table.append(String.format(" %4d", status)));
                table.append('\n');
            });
        });
        System.out.println(table);
    }
}
