package io.psaremoval.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricDecisionInstance;
import org.camunda.bpm.engine.history.HistoricIncident;
import org.camunda.bpm.engine.history.HistoricJobLog;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.EntityTypes;
import io.psaremoval.engine.EngineAuthorizations;
import io.psaremoval.engine.FailureInWords;
import io.psaremoval.engine.NoticeWithdrawal;
import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.removal.RemovalRepository;
import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.DeletionApproval;
import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.restore.Restore;
import io.psaremoval.restore.RestoreService;
import io.psaremoval.removal.RemovalStatus;
import io.psaremoval.removal.ScopeRound;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What happened in each removal, who did it and when: built from Camunda's full history (steps, the
 * DMN decision with its inputs and outputs, task completions, variables, incidents, job retries) and the
 * project's own records (the removal, the rows it wrote per kind, backups, feature changes, RMM notices,
 * refused attempts).
 */
@Service
public class AuditService {

    /** Variables worth an auditor's eye, with how the timeline names them. */
    private static final Map<String, String> DECISION_VARIABLES = new LinkedHashMap<>();

    static {
        DECISION_VARIABLES.put("removalReason", "reason given");
        DECISION_VARIABLES.put("integrationId", "integration chosen");
        DECISION_VARIABLES.put("integrationDecision", "choice");
        DECISION_VARIABLES.put("removalMode", "removal mode");
        DECISION_VARIABLES.put("featureDecision", "when bulk delete was unavailable");
        DECISION_VARIABLES.put("supportDecision", "support's decision");
        DECISION_VARIABLES.put("supportNote", "support's note");
        DECISION_VARIABLES.put("supportAnswer", "told to the requester about support");
        DECISION_VARIABLES.put("backupDecision", "backup decision");
        DECISION_VARIABLES.put("externalBackupNote", "external backup");
        DECISION_VARIABLES.put("externalBackupTakenAt", "external backup taken at (as stated)");
        DECISION_VARIABLES.put("deletionDecision", "final decision");
        DECISION_VARIABLES.put("confirmationText", "typed confirmation");
        DECISION_VARIABLES.put("approvalDecision", "second Administrator's decision");
        DECISION_VARIABLES.put("approvalNote", "second Administrator's note");
        DECISION_VARIABLES.put("withdrawDecision", "the requester's decision while it waited for approval");
        DECISION_VARIABLES.put("withdrawNote", "the requester's note on withdrawing");
    }

    private static final Set<String> PREVIEW_VARIABLES = Set.of("previewOrganizations", "previewPreExistingOrganizations",
            "previewPsaSyncedItems", "previewPlatformOnlyItems", "previewAttachments", "previewRelatedItems",
            "previewRmmDevices");

    /** Engine queries are paged: unbounded ones are refused for signed-in callers (queryMaxResultsLimit). */
    private static final int MAX_RESULTS = 5000;
    static final String ANOTHER_ACCOUNTS_USER = "a user of another account";

    private final JdbcClient jdbc;
    private final HistoryService history;
    private final IdentityService identity;
    private final RemovalRepository removals;
    private final DataRemovalService dataRemoval;
    private final DeletionApprovals approvals;
    private final RestoreService restores;
    private final FormLabels formLabels = FormLabels.ofThePluginsForms();

    AuditService(JdbcClient jdbc, HistoryService history, IdentityService identity, RemovalRepository removals,
            DataRemovalService dataRemoval, DeletionApprovals approvals, RestoreService restores) {
        this.identity = identity;
        this.approvals = approvals;
        this.restores = restores;
        this.jdbc = jdbc;
        this.history = history;
        this.removals = removals;
        this.dataRemoval = dataRemoval;
    }

    public record RemovalSummary(long id, String businessKey, String processInstanceId, Long accountId, String accountName,
            Long integrationId, String integrationName, String requestedBy, String requesterRole, String mode,
            String status, String chosenMode, OffsetDateTime startedAt, OffsetDateTime endedAt, String confirmedBy,
            long rowsDisconnected, long rowsDeleted, long rmmDevicesUnmatched, int chunksDone, Integer longestChunkMs) {
    }

    public record Event(Instant at, String kind, String step, String who, String what) {
    }

    /**
     * One removal for the auditors; {@code progress} (rows done and left per kind) once it has started writing;
     * {@code reconciliation}, once a mode is chosen: per kind of the preview the person confirmed, what it said and
     * what was written; {@code scope}: the scope as frozen at the preview and at each change a write step found, with
     * its checksum for the mode, the difference shown and who confirmed it when (the last confirmed one is the contract);
     * {@code approvals}: each round a second Administrator was asked to approve, why, and who approved or refused it when;
     * {@code restores}: each restore of the removal's snapshot, who asked and confirmed it, what it recreated, or why not.
     */
    public record RemovalAudit(RemovalSummary removal, Map<String, Map<String, Long>> rowsByActionAndKind,
            String progress, Map<String, Object> preview, List<Reconciled> reconciliation, List<ScopeRound> scope,
            List<DeletionApproval> approvals, List<Restore> restores, List<Event> timeline) {
    }

    /**
     * A kind as the preview named it, its two columns as the person saw them, what the chosen mode was to write of it
     * (a delete: both columns; a disconnect: what came from the PSA) and what was written.
     */
    public record Reconciled(String kind, long fromThePsa, long onlyInThePlatform, long confirmed, long written) {

        @com.fasterxml.jackson.annotation.JsonProperty("difference")
        public long difference() {
            return written - confirmed;
        }
    }

    /**
     * Which removals an auditor asks for: each criterion given narrows the list (account, started from and before,
     * outcome, mode, requester); {@code readable} is what the reader may see at all (empty: every account).
     */
    public record Criteria(Optional<Set<Long>> readable, Long account, OffsetDateTime from, OffsetDateTime before,
            String status, String mode, String requestedBy) {
    }

    /** One page of removals, newest first, and how many match in all (-1 for a batch of the export). */
    public record Page(List<RemovalSummary> removals, long total) {
    }

    /** The removals that match, newest first, {@code limit} of them from {@code offset}, and how many match in all. */
    public Page removals(Criteria criteria, long offset, int limit) {
        return removals(criteria, null, offset, limit);
    }

    /**
     * Every removal that matches, newest first, handed over a batch at a time (each batch one short query that
     * continues after the last removal of the one before, so that removals started meanwhile shift nothing).
     */
    public void forEachRemoval(Criteria criteria, java.util.function.Consumer<RemovalSummary> each) {
        RemovalSummary last = null;
        while (true) {
            List<RemovalSummary> batch = removals(criteria, last, 0, EXPORT_BATCH).removals();
            batch.forEach(each);
            if (batch.size() < EXPORT_BATCH) {
                return;
            }
            last = batch.get(batch.size() - 1);
        }
    }

    private static final int EXPORT_BATCH = 1000;

    /** Adds the condition and its parameter when the criterion is given. */
    private static void narrow(StringBuilder where, Map<String, Object> parameters, String condition, String parameter,
            Object value) {
        if (value != null) {
            where.append(" and ").append(condition);
            parameters.put(parameter, value);
        }
    }

    private Page removals(Criteria criteria, RemovalSummary keysetAfter, long offset, int limit) {
        StringBuilder where = new StringBuilder(" where true");
        Map<String, Object> parameters = new LinkedHashMap<>();
        criteria.readable().ifPresent(accounts -> {
            where.append(" and r.account_id = any(:accounts)");
            parameters.put("accounts", accounts.toArray(Long[]::new));
        });
        narrow(where, parameters, "r.account_id = :account", "account", criteria.account());
        narrow(where, parameters, "r.started_at >= :from", "from", criteria.from());
        narrow(where, parameters, "r.started_at < :before", "before", criteria.before());
        narrow(where, parameters, "r.status = :status", "status", criteria.status());
        narrow(where, parameters, "r.mode = :mode", "mode", criteria.mode());
        narrow(where, parameters, "r.requested_by = :requestedBy", "requestedBy", criteria.requestedBy());
        // The total is counted for a page; a batch of the export goes on after the previous one and counts nothing.
        long total = -1;
        if (keysetAfter == null) {
            total = jdbc.sql("select count(*) from removal r" + where).params(parameters).query(Long.class).single();
        } else {
            where.append(" and (r.started_at, r.id) < (:afterStartedAt, :afterId)");
            parameters.put("afterStartedAt", keysetAfter.startedAt());
            parameters.put("afterId", keysetAfter.id());
        }
        List<RemovalSummary> page = total == 0 ? List.of() : jdbc.sql(SUMMARY + where
                        + " order by r.started_at desc, r.id desc offset :offset limit :limit")
                .params(parameters).param("offset", offset).param("limit", limit)
                .query(RemovalSummary.class).list();
        return new Page(page, total);
    }

    /** One removal for a reader of every account (the tests'). */
    Optional<RemovalAudit> removal(long removalId) {
        return removal(removalId, Optional.empty());
    }

    /**
     * One removal, when the reader may read its account ({@code readable}: the accounts they may read; empty: every
     * account). Decided here, from the removal's record, before anything else is read; the engine's history of the
     * removal and of its notices is then read whole, whatever the reader's own engine authorizations (an account's
     * auditor has none on another person's notice or on the values entered in a task, yet reads them in the audit).
     */
    public Optional<RemovalAudit> removal(long removalId, Optional<Set<Long>> readable) {
        Optional<RemovalSummary> found = jdbc.sql(SUMMARY + " where r.id = :id").param("id", removalId)
                .query(RemovalSummary.class).optional()
                .filter(summary -> readable.isEmpty()
                        || (summary.accountId() != null && readable.get().contains(summary.accountId())));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        RemovalSummary summary = found.get();
        Authentication reader = identity.getCurrentAuthentication();
        identity.clearAuthentication();
        try {
            return Optional.of(new RemovalAudit(summary, removals.counts(removalId), progress(summary),
                    preview(summary.processInstanceId()), reconciliation(summary),
                    dataRemoval.scopeRounds(removalId, RemovalMode.valueOf(summary.mode() != null ? summary.mode()
                            : Optional.ofNullable(summary.chosenMode()).orElse("DELETE"))),
                    approvals.of(removalId), restores.ofRemoval(removalId), timeline(summary, readable.isEmpty())));
        } finally {
            if (reader != null) {
                identity.setAuthentication(reader);
            }
        }
    }

    /**
     * The removal's notices (process {@code RemovalNotice}, by the removal's business key): to whom each was given and
     * what it said, and how it closed: read by its reader, withdrawn by the removal, closed unread, or still open.
     */
    private void notices(String businessKey, List<Event> events) {
        if (businessKey == null) {
            return;
        }
        List<HistoricProcessInstance> notices = history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(EngineAuthorizations.NOTICE_PROCESS_KEY).processInstanceBusinessKey(businessKey)
                .orderByProcessInstanceStartTime().asc().listPage(0, MAX_RESULTS);
        if (notices.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> variables = new HashMap<>();
        history.createHistoricVariableInstanceQuery()
                .processInstanceIdIn(notices.stream().map(HistoricProcessInstance::getId).toArray(String[]::new))
                .variableNameIn(NoticeWithdrawal.READER, NoticeWithdrawal.TITLE).listPage(0, MAX_RESULTS)
                .forEach(variable -> variables.computeIfAbsent(variable.getProcessInstanceId(), id -> new HashMap<>())
                        .put(variable.getName(), variable.getValue()));
        for (HistoricProcessInstance notice : notices) {
            Map<String, Object> given = variables.getOrDefault(notice.getId(), Map.of());
            String reader = (String) given.get(NoticeWithdrawal.READER);
            events.add(new Event(instant(notice.getStartTime()), "notice", "notice given", reader,
                    (String) given.get(NoticeWithdrawal.TITLE)));
            if (notice.getEndTime() != null) {
                boolean read = "EndEvent_NoticeRead".equals(notice.getEndActivityId());
                String how = read ? "notice read" : switch (String.valueOf(notice.getEndActivityId())) {
                    case "EndEvent_NoticeWithdrawn" -> "notice withdrawn: it no longer held";
                    case "EndEvent_NoticeExpired" -> "notice closed unread after psa.removal.notice-timeout";
                    default -> "notice ended" + (notice.getDeleteReason() == null ? "" : ": " + notice.getDeleteReason());
                };
                events.add(new Event(instant(notice.getEndTime()), "notice", how,
                        read ? whoCompleted(notice.getId(), reader) : null, (String) given.get(NoticeWithdrawal.TITLE)));
            }
        }
    }

    /** A job's failure as an account's reader reads it, from its message and its job log's stack trace when kept. */
    private String failureInWords(String message, String jobLogId) {
        String stacktrace = null;
        if (jobLogId != null) {
            try {
                stacktrace = history.getHistoricJobLogExceptionStacktrace(jobLogId);
            } catch (ProcessEngineException notKept) {
                // no stack trace kept for it: the message alone decides
            }
        }
        return FailureInWords.forAnAccount(message, stacktrace);
    }

    /** Who completed the instance's task, from the engine's operation log (an operator may have); else {@code otherwise}. */
    private String whoCompleted(String processInstanceId, String otherwise) {
        return history.createUserOperationLogQuery().processInstanceId(processInstanceId)
                .operationType(UserOperationLogEntry.OPERATION_TYPE_COMPLETE).listPage(0, 1).stream()
                .map(UserOperationLogEntry::getUserId).filter(Objects::nonNull).findFirst().orElse(otherwise);
    }

    private static final String SUMMARY = """
            select r.id, r.business_key, r.process_instance_id, r.account_id, a.name as account_name, r.integration_id,
                   r.integration_name, r.requested_by, r.requester_role, r.mode, r.status, r.chosen_mode, r.started_at,
                   r.ended_at,
                   r.confirmed_by,
                   coalesce((select sum(rows) from removal_count c where c.removal_id = r.id and c.action = 'DISCONNECTED'), 0) as rows_disconnected,
                   coalesce((select sum(rows) from removal_count c where c.removal_id = r.id and c.action = 'DELETED'), 0) as rows_deleted,
                   coalesce((select sum(rows) from removal_count c where c.removal_id = r.id and c.action = 'UNMATCHED'), 0) as rmm_devices_unmatched,
                   r.chunks_done, r.longest_chunk_ms
            from removal r left join account a on a.id = r.account_id""";

    private String progress(RemovalSummary summary) {
        if (summary.mode() == null) {
            return null;
        }
        boolean finished = !RemovalStatus.valueOf(summary.status()).isOpen();
        return dataRemoval.progressReport(summary.processInstanceId(), RemovalMode.valueOf(summary.mode()), finished);
    }

    /** Per kind of the confirmed preview, in the forms' words: what it said, what the mode was to write, what was written. */
    private List<Reconciled> reconciliation(RemovalSummary summary) {
        if (summary.mode() == null) {
            return List.of();
        }
        return dataRemoval.reconciliation(summary.id(), RemovalMode.valueOf(summary.mode())).stream()
                .map(line -> new Reconciled(ImpactReport.label(line.kind()), line.psaSynced(), line.platformOnly(),
                        line.confirmed(), line.written()))
                .toList();
    }

    private Map<String, Object> preview(String processInstanceId) {
        Map<String, Object> preview = new LinkedHashMap<>();
        history.createHistoricVariableInstanceQuery().processInstanceId(processInstanceId).listPage(0, MAX_RESULTS).stream()
                .filter(variable -> PREVIEW_VARIABLES.contains(variable.getName()))
                .sorted(Comparator.comparing(HistoricVariableInstance::getName))
                .forEach(variable -> preview.put(variable.getName(), variable.getValue()));
        return preview;
    }

    /**
     * @param causes whether the reader reads across accounts (the platform's auditors: a failure's cause, like the
     *               operators, and who of another account tried something) or one account's (its auditors and
     *               Administrators: a failure's words, never the database's own message; another account's user unnamed)
     */
    private List<Event> timeline(RemovalSummary removal, boolean causes) {
        String pid = removal.processInstanceId();
        List<Event> events = new ArrayList<>();
        Map<String, String> completedBy = new LinkedHashMap<>();
        for (UserOperationLogEntry entry : history.createUserOperationLogQuery().processInstanceId(pid)
                .operationType(UserOperationLogEntry.OPERATION_TYPE_COMPLETE).listPage(0, MAX_RESULTS)) {
            if (entry.getTaskId() != null) {
                completedBy.put(entry.getTaskId(), entry.getUserId());
            }
        }
        Map<String, HistoricTaskInstance> tasks = new LinkedHashMap<>();
        history.createHistoricTaskInstanceQuery().processInstanceId(pid).listPage(0, MAX_RESULTS).forEach(task -> tasks.put(task.getId(), task));

        for (HistoricActivityInstance step : history.createHistoricActivityInstanceQuery().processInstanceId(pid)
                .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().listPage(0, MAX_RESULTS)) {
            if (step.getActivityType().endsWith("Gateway") || step.getActivityType().equals("sequenceFlow")) {
                continue;
            }
            String who = null;
            String what = step.getEndTime() == null ? "waiting" : step.isCanceled() ? "cancelled (timer or cancellation)" : "done";
            // A step that ended is shown when it ended (a task when it was completed), one that waits since it began.
            Date at = step.getEndTime() != null ? step.getEndTime() : step.getStartTime();
            if (step.getTaskId() != null && tasks.containsKey(step.getTaskId())) {
                HistoricTaskInstance task = tasks.get(step.getTaskId());
                at = task.getEndTime() != null ? task.getEndTime() : task.getStartTime();
                who = completedBy.getOrDefault(task.getId(), task.getAssignee());
                what = task.getEndTime() == null ? "waiting for " + (task.getAssignee() != null ? task.getAssignee() : "a candidate")
                        : task.getDeleteReason() != null && !"completed".equals(task.getDeleteReason())
                        ? "ended: " + task.getDeleteReason() : "completed";
            }
            events.add(new Event(instant(at), kindInWords(step.getActivityType()), step.getActivityName(), who, what));
        }
        for (HistoricDecisionInstance decision : history.createHistoricDecisionInstanceQuery().processInstanceId(pid)
                .includeInputs().includeOutputs().listPage(0, MAX_RESULTS)) {
            StringBuilder what = new StringBuilder();
            decision.getInputs().forEach(input -> what.append(input.getClauseName()).append(": ")
                    .append(decisionValueInWords(input.getValue())).append("; "));
            decision.getOutputs().forEach(output -> what.append(output.getClauseName()).append(": ")
                    .append(decisionValueInWords(output.getValue())).append("; "));
            events.add(new Event(instant(decision.getEvaluationTime()), "decision", decision.getDecisionDefinitionName(),
                    null, what.toString().trim()));
        }
        for (var detail : history.createHistoricDetailQuery().processInstanceId(pid).variableUpdates().listPage(0, MAX_RESULTS)) {
            var update = (org.camunda.bpm.engine.history.HistoricVariableUpdate) detail;
            String label = DECISION_VARIABLES.get(update.getVariableName());
            if (label != null && update.getValue() != null) {
                String value = String.valueOf(update.getValue());
                if (update.getVariableName().equals("integrationId") && removal.integrationId() != null
                        && value.equals(String.valueOf(removal.integrationId()))) {
                    value = removal.integrationName() + " (" + value + ")";
                }
                String who = update.getUserOperationId() == null ? null : operationUser(update.getUserOperationId());
                events.add(new Event(instant(detail.getTime()), "input", label, who,
                        formLabels.value(update.getVariableName(), value)));
            }
        }
        for (HistoricIncident incident : history.createHistoricIncidentQuery().processInstanceId(pid).listPage(0, MAX_RESULTS)) {
            String said = causes ? incident.getIncidentMessage()
                    : failureInWords(incident.getIncidentMessage(), incident.getHistoryConfiguration());
            events.add(new Event(instant(incident.getCreateTime()), "incident", incident.getActivityId(), null,
                    said + (incident.isResolved() ? " (resolved " + incident.getEndTime() + ")" : " (open)")));
        }
        for (HistoricJobLog failure : history.createHistoricJobLogQuery().processInstanceId(pid).failureLog().listPage(0, MAX_RESULTS)) {
            events.add(new Event(instant(failure.getTimestamp()), "retry", failure.getActivityId(), null,
                    "failed, " + failure.getJobRetries() + " retries left: " + (causes ? failure.getJobExceptionMessage()
                            : failureInWords(failure.getJobExceptionMessage(), failure.getId()))));
        }
        if (removal.id() > 0) {
            jdbc.sql("""
                    select completed_at, kind, requested_by,
                           coalesce(note, '') || coalesce(' · ' || case when :forPlatformAuditors then location
                                                                         else regexp_replace(translate(location, chr(92), '/'), '^.*/', '') end, '')
                           || coalesce(' · ' || size_bytes || ' bytes', '') || coalesce(' · SHA-256 ' || sha256, '')
                           || coalesce(' · verified ' || to_char(verified_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')
                           || coalesce(' · kept until ' || to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), ''),
                           removed_at, removed_by
                    from account_backup where removal_id = :id""")
                    .param("id", removal.id())
                    // An account's readers are told the file, not the server's folders; the platform's auditors the whole location.
                    .param("forPlatformAuditors", causes)
                    .query((rs, n) -> {
                        String kind = rs.getString(2);
                        events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "backup",
                                switch (kind) {
                                    case "PLATFORM_EXPORT" -> "account exported";
                                    case "SCOPE_SNAPSHOT" -> "scope snapshot taken and verified";
                                    default -> "external backup confirmed";
                                }, rs.getString(3), rs.getString(4)));
                        OffsetDateTime removed = rs.getObject(5, OffsetDateTime.class);
                        if (removed != null) {
                            boolean export = "PLATFORM_EXPORT".equals(kind);
                            events.add(new Event(removed.toInstant(), "backup", (export ? "export" : "snapshot")
                                    + " removed after its retention", rs.getString(6), "the file is deleted from the "
                                    + (export ? "export" : "snapshot") + " store; this record stays"));
                        }
                        return null;
                    })
                    .list();
            if (removal.accountId() != null) {
                // The account's four-eyes policy as it changed while the removal was open.
                jdbc.sql("""
                        select changed_at, changed_by, feature, enabled, note from account_feature_change
                        where account_id = :account
                          and (feature like 'DELETION_APPROVAL%' or feature like 'COOLING_OFF%')
                          and changed_at >= :from and changed_at <= coalesce(:to, now())""")
                        .param("account", removal.accountId()).param("from", removal.startedAt())
                        .param("to", removal.endedAt())
                        .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "feature",
                                switch (rs.getString(3)) {
                                    case "DELETION_APPROVAL" -> "account's four-eyes policy "
                                            + (rs.getBoolean(4) ? "switched on" : "switched off");
                                    case "COOLING_OFF" -> "account's cooling-off period changed";
                                    case "COOLING_OFF_SHORTER_REQUESTED" -> "a shorter cooling-off period asked for (a"
                                            + " second Administrator must confirm)";
                                    default -> "switching the account's four-eyes policy off asked for (a second"
                                            + " Administrator must confirm)";
                                }, rs.getString(2), rs.getString(5))))
                        .list();
            }
            for (Restore restore : restores.ofRemoval(removal.id())) {
                events.add(new Event(restore.startedAt().toInstant(), "restore", "restore " + restore.businessKey()
                        + " of snapshot " + restore.snapshotId() + " asked for", restore.requestedBy(),
                        restore.reason() == null ? "" : restore.reason()));
                if (restore.endedAt() != null) {
                    events.add(new Event(restore.endedAt().toInstant(), "restore", "restore " + restore.businessKey() + " "
                            + restore.status().toLowerCase(java.util.Locale.ROOT), restore.confirmedBy(),
                            restore.status().equals("RESTORED") ? "recreated " + restore.rowsRestored() + "; "
                                    + restore.devicesRematched() + " RMM devices matched again"
                                    : restore.outcomeReason() == null ? ""
                                    : causes ? restore.outcomeReason() : FailureInWords.forAnAccount(restore.outcomeReason(), null)));
                }
            }
            for (DeletionApproval approval : approvals.of(removal.id())) {
                events.add(new Event(approval.requestedAt().toInstant(), "approval", "second approval asked for (round "
                        + approval.round() + ")", null, approval.requiredBecause()));
                if (approval.decision() != null) {
                    String decided = switch (approval.decision()) {
                        case "APPROVED" -> "deletion approved";
                        case "WITHDRAWN" -> "deletion withdrawn by its requester";
                        default -> "deletion refused";
                    };
                    events.add(new Event(approval.decidedAt().toInstant(), "approval", decided + " (round " + approval.round() + ")",
                            approval.decidedBy(), approval.note() == null ? "" : approval.note()));
                }
            }
            jdbc.sql("select changed_at, changed_by, feature, enabled, note from account_feature_change where removal_id = :id")
                    .param("id", removal.id())
                    .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "feature",
                            rs.getString(3) + (rs.getBoolean(4) ? " enabled" : " disabled"), rs.getString(2), rs.getString(5))))
                    .list();
            jdbc.sql("select sent_at, rmm_integration_id, device_count, id, event from rmm_unmatch_notice where removal_id = :id")
                    .param("id", removal.id())
                    .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "rmm-notice",
                            "notice " + rs.getLong(4) + " for RMM integration " + rs.getLong(2) + " recorded", null,
                            rs.getInt(3) + (rs.getString(5).equals("devices-rematched") ? " devices matched again by a restore"
                                    : " devices unmatched"))))
                    .list();
            jdbc.sql("""
                    select d.attempted_at, n.rmm_integration_id, d.outcome, d.http_status, d.detail, n.id
                    from rmm_notice_delivery d join rmm_unmatch_notice n on n.id = d.notice_id
                    where n.removal_id = :id order by d.id""")
                    .param("id", removal.id())
                    .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "rmm-delivery",
                            switch (rs.getString(3)) {
                                case "DELIVERED" -> "notice " + rs.getLong(6) + " delivered to RMM integration " + rs.getLong(2);
                                case "NOT_CONFIGURED" -> "notice " + rs.getLong(6) + " not delivered: RMM integration "
                                        + rs.getLong(2) + " has no endpoint";
                                default -> "delivery of notice " + rs.getLong(6) + " to RMM integration " + rs.getLong(2)
                                        + " failed";
                            }, null, (rs.getObject(4) == null ? "" : "HTTP " + rs.getInt(4) + " · ") + rs.getString(5))))
                    .list();
            jdbc.sql("""
                    select opened_at, step_name, failure, incident_id, retried_at, retried_by, closed_at, closed_how,
                           times_stopped, failure_in_words
                    from removal_stuck_notice where removal_id = :id order by id""")
                    .param("id", removal.id())
                    .query((rs, n) -> {
                        events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "stuck",
                                "stopped at '" + rs.getString(2) + "' after its retries ran out"
                                        + (rs.getInt(9) > 1 ? " (" + rs.getInt(9) + " times; last incident " : " (incident ")
                                        + rs.getString(4) + "); the requester and the operators were given a task",
                                null, causes ? rs.getString(3) : rs.getString(10) == null
                                        ? "(stopped before its words were kept apart: the operators read its cause)"
                                        : FailureInWords.forAnAccount(rs.getString(10), null)));
                        if (rs.getObject(5) != null) {
                            events.add(new Event(rs.getObject(5, OffsetDateTime.class).toInstant(), "stuck",
                                    "retried '" + rs.getString(2) + "'", rs.getString(6), null));
                        }
                        if (rs.getObject(7) != null) {
                            events.add(new Event(rs.getObject(7, OffsetDateTime.class).toInstant(), "stuck",
                                    "RESUMED".equals(rs.getString(8)) ? "went on after the retry; the tasks closed"
                                            : "ended without the retry; the tasks closed", null, null));
                        }
                        return null;
                    })
                    .list();
            // The cooling-off period: out of sight, cancelled by an Administrator, or purged once it was over.
            jdbc.sql("""
                    select moved_out_at, purge_after, cancelled_at, cancelled_by, cancel_note, purge_started_at,
                           cooling_off::text, (select count(*) from pending_deletion p where p.removal_id = removal.id)
                    from removal where id = :id and moved_out_at is not null""")
                    .param("id", removal.id())
                    .query((rs, n) -> {
                        events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "cooling-off",
                                "scope moved out of sight for the cooling-off period (" + rs.getString(7) + ")", null,
                                "not listed, no RMM device matched to it, every row kept; purged from "
                                        + rs.getObject(2, OffsetDateTime.class) + " on unless an Administrator cancels"
                                        + (rs.getLong(8) > 0 ? "; " + rs.getLong(8) + " organizations out of sight now" : "")));
                        if (rs.getObject(3) != null) {
                            events.add(new Event(rs.getObject(3, OffsetDateTime.class).toInstant(), "cooling-off",
                                    "pending deletion cancelled: everything back in sight, nothing deleted",
                                    rs.getString(4), rs.getString(5)));
                        }
                        if (rs.getObject(6) != null) {
                            events.add(new Event(rs.getObject(6, OffsetDateTime.class).toInstant(), "cooling-off",
                                    "cooling-off period over: purge begun", null,
                                    "the scope was compared with the confirmed one again before the first chunk"));
                        }
                        return null;
                    })
                    .list();
            if (removal.confirmedBy() != null) {
                jdbc.sql("select confirmed_at from removal where id = :id").param("id", removal.id())
                        .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "confirmation",
                                "deletion confirmed by typing the integration's name", removal.confirmedBy(),
                                removal.integrationName())))
                        .list();
            }
        }
        notices(removal.businessKey(), events);
        operations(pid, events);
        // An account's reader learns that a user of another account tried something, not who: that is the other
        // account's to know (the platform's auditors read the name).
        refusals(pid, removal.accountId(), causes, events);
        events.sort(Comparator.comparing(Event::at));
        return events;
    }

    /**
     * What people did to the removal's process instance through the engine's API besides completing its tasks, from the
     * engine's operation log, one row per operation: an operator's modification, retries, a changed due date, a
     * suspension or a deletion, a variable set by hand, a task claimed, given back or commented on, with who and what
     * it changed (the engine's own words for the properties; it keeps no variable's value).
     */
    private void operations(String pid, List<Event> events) {
        // Of more entries than the timeline holds, the first and the latest half: a flood of claims and give-backs
        // never pushes a later operation out of sight.
        int half = MAX_RESULTS / 2;
        long total = history.createUserOperationLogQuery().processInstanceId(pid).count();
        List<UserOperationLogEntry> entries = new ArrayList<>(history.createUserOperationLogQuery().processInstanceId(pid)
                .orderByTimestamp().asc().listPage(0, half));
        if (total > half) {
            List<UserOperationLogEntry> latest = new ArrayList<>(history.createUserOperationLogQuery().processInstanceId(pid)
                    .orderByTimestamp().desc().listPage(0, (int) Math.min(half, total - half)));
            java.util.Collections.reverse(latest);
            if (total > 2L * half) {
                events.add(new Event(entries.get(entries.size() - 1).getTimestamp().toInstant(), "operation",
                        "more operations than the timeline shows", null, String.format(Locale.ROOT,
                                "%,d entries of the engine's operation log from here on are left out; the first and the"
                                        + " latest %,d show.", total - 2L * half, half)));
            }
            Set<String> first = entries.stream().map(UserOperationLogEntry::getId).collect(java.util.stream.Collectors.toSet());
            latest.stream().filter(entry -> !first.contains(entry.getId())).forEach(entries::add); // ties of one instant
        }
        Map<String, List<UserOperationLogEntry>> byOperation = new LinkedHashMap<>();
        for (UserOperationLogEntry entry : entries) {
            boolean shownAlready = UserOperationLogEntry.OPERATION_TYPE_COMPLETE.equals(entry.getOperationType())
                    || (UserOperationLogEntry.OPERATION_TYPE_CREATE.equals(entry.getOperationType())
                            && EntityTypes.PROCESS_INSTANCE.equals(entry.getEntityType())); // the start
            if (!shownAlready) {
                byOperation.computeIfAbsent(entry.getOperationId() == null ? entry.getId() : entry.getOperationId(),
                        operation -> new ArrayList<>()).add(entry);
            }
        }
        for (List<UserOperationLogEntry> operation : byOperation.values()) {
            UserOperationLogEntry first = operation.get(0);
            String changed = operation.stream().filter(entry -> entry.getProperty() != null)
                    .map(entry -> entry.getProperty() + ": " + (entry.getOrgValue() == null ? "" : entry.getOrgValue() + " → ")
                            + entry.getNewValue())
                    .collect(java.util.stream.Collectors.joining("; "));
            events.add(new Event(first.getTimestamp().toInstant(), "operation", operationInWords(first), first.getUserId(),
                    changed.isEmpty() ? null : changed));
        }
    }

    /** The engine's "SetJobRetries" on a "Job" as "set job retries (job)". */
    static String operationInWords(UserOperationLogEntry entry) {
        String words = spaced(entry.getOperationType());
        return entry.getEntityType() == null ? words : words + " (" + spaced(entry.getEntityType()) + ")";
    }

    /** A name in camel case as words: "SetJobRetries" as "set job retries". */
    private static String spaced(String camelCase) {
        return camelCase.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /**
     * The refused attempts on the removal, the same attempt repeated (the same person, kind and words) as one line with
     * how often and until when, so that a flood of one refusal never pushes another out of sight. Of more distinct
     * attempts than the timeline holds, the first and the latest half show, and a line says how many between them are
     * left out (they stay in {@code security_event}).
     */
    private void refusals(String pid, Long accountId, boolean causes, List<Event> events) {
        String grouped = """
                with grouped as (
                    select e.username, e.kind, e.detail, min(e.occurred_at) as first_at, max(e.occurred_at) as last_at,
                           count(*) as times, min(e.id) as first_id
                    from security_event e where e.process_instance_id = :pid
                    group by e.username, e.kind, e.detail),
                numbered as (
                    select g.*, row_number() over (order by g.first_at, g.first_id) as n, count(*) over () as attempts
                    from grouped g)
                """;
        int half = MAX_RESULTS / 2;
        jdbc.sql(grouped + """
                select n.first_at, n.username, n.kind, n.detail, n.times, n.last_at,
                       u.account_id is not null and u.account_id is distinct from :account as of_another_account
                from numbered n left join platform_user u on u.username = n.username
                where n.n <= :half or n.n > n.attempts - :half
                order by n.n""")
                .param("pid", pid).param("account", accountId).param("half", half)
                .query((rs, n) -> {
                    String who = rs.getString(2);
                    String detail = rs.getString(4);
                    if (!causes && rs.getBoolean(7)) {
                        detail = detail == null ? null : detail.replace(who, ANOTHER_ACCOUNTS_USER);
                        who = ANOTHER_ACCOUNTS_USER;
                    }
                    long times = rs.getLong(5);
                    if (times > 1) {
                        detail = (detail == null ? "" : detail + " ") + "(" + String.format(Locale.ROOT, "%,d", times)
                                + " times, the last at " + rs.getObject(6, OffsetDateTime.class).toInstant() + ")";
                    }
                    return events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "refused",
                            refusalInWords(rs.getString(3)), who, detail));
                })
                .list();
        jdbc.sql(grouped + """
                select min(first_at), count(*), sum(times)::bigint from numbered
                where n > :half and n <= attempts - :half having count(*) > 0""")
                .param("pid", pid).param("half", half)
                .query((rs, n) -> events.add(new Event(rs.getObject(1, OffsetDateTime.class).toInstant(), "refused",
                        "more refused attempts than the timeline shows", null, String.format(Locale.ROOT,
                                "%,d further attempts (%,d refusals) from here on are left out; the first and the latest"
                                        + " %,d show. Every one is kept in security_event.", rs.getLong(2), rs.getLong(3), half))))
                .list();
    }

    /** A value of the permission decision as people say it: a role by its name, the answer as a sentence. */
    static String decisionValueInWords(Object value) {
        String code = String.valueOf(value);
        return switch (code) {
            case "DISCONNECT_OR_DELETE" -> "yes, may disconnect or delete";
            case "NONE" -> "no, only a Manager or an Administrator may remove";
            case "UNKNOWN" -> "not a user of the platform";
            default -> java.util.Arrays.stream(io.psaremoval.account.Role.values()).filter(role -> role.name().equals(code))
                    .findFirst().map(io.psaremoval.account.Role::label).orElse(code);
        };
    }

    static String kindInWords(String activityType) {
        return switch (activityType) {
            case "userTask" -> "task";
            case "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "task", "manualTask", "receiveTask",
                 "callActivity", "subProcess" -> "step";
            case "startEvent", "startTimerEvent", "messageStartEvent" -> "start";
            case "boundaryTimer", "intermediateTimer" -> "timer";
            default -> activityType.toLowerCase(java.util.Locale.ROOT).endsWith("endevent") ? "end"
                    : activityType.toLowerCase(java.util.Locale.ROOT).endsWith("startevent") ? "start" : "event";
        };
    }

    /** A recorded refusal's kind as the audit page says it. */
    static String refusalInWords(String kind) {
        return switch (kind) {
            case "TASK_INPUT_REFUSED" -> "what was entered in a task was refused";
            case "START_VARIABLES_IGNORED" -> "values sent with the start were ignored";
            case "WRITE_STEP_REFUSED" -> "a step refused to write";
            default -> kind.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        };
    }

    private String operationUser(String operationId) {
        return history.createUserOperationLogQuery().operationId(operationId).listPage(0, 1).stream()
                .map(UserOperationLogEntry::getUserId).findFirst().orElse(null);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
