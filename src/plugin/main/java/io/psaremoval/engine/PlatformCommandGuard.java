package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.security.AccountAdministrators;
import io.psaremoval.security.SecurityEvents;
import java.lang.reflect.Field;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.impl.cfg.CommandChecker;
import org.camunda.bpm.engine.impl.cmd.GetTaskFormVariablesCmd;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitTaskFormCmd;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.impl.AbstractQuery;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.TaskQueryImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the engine's generic API is narrowed, for every caller at once: {@code /engine-rest}, the
 * API behind Tasklist and Cockpit ({@code /camunda/api/engine}) and Java code all end in engine commands, and this
 * interceptor sees each command a signed-in user starts, inside its transaction, before it runs.
 *
 * <ul>
 * <li><b>Queries</b>: no expression a caller wrote is evaluated for anyone but engine administrators, also not
 * inside {@code orQueries} or the query that extends a filter (the engine checks only a query's top level).</li>
 * <li><b>Platform users</b> (the people of the documentation platform: account users, support, auditors; the
 * identity mirror keeps their groups) may read what their authorizations show, and move a removal in exactly one
 * way: by completing their own open task through its Camunda Form. So they may start the process plainly (its start
 * form's fields only, its current version: no start instructions, skip flags, business key or initiator), complete
 * or submit their own task with its form's fields only, claim an unassigned task for themselves, give back their own
 * when it has candidates (a task given to one person alone would be offered to no one), and comment on their own task. Every other
 * engine command that changes something (modification, restart, migration, bpmnError and escalation, messages and
 * signals, job execution and retries, suspension, deletion, variables outside a form, task or identity changes,
 * checking other people's passwords, ...) is refused with HTTP 403. Variables they send have plain names and must be
 * text (at most 4,000 characters, no NUL), whole or decimal numbers, booleans or dates. The engine's own failure
 * messages (stack traces; jobs, incidents, external tasks and their logs; instances looked up by an incident's
 * message) are not theirs to read, but for the platform's auditors ({@code psa-auditors}).</li>
 * <li>Engine administrators ({@code camunda-admin}), the engine itself (job executor, no user) and the host's own
 * users (not platform users) are not restricted here; the engine's authorizations and the removal's own rules,
 * checked where its data is written, still apply to them.</li>
 * </ul>
 * Every refusal is recorded as a security event. The interceptor checks the outermost command only: commands that
 * a permitted command runs inside (delegates, listeners) are the application's own.
 */
final class PlatformCommandGuard extends CommandInterceptor {

    private static final Logger log = LoggerFactory.getLogger(PlatformCommandGuard.class);

    /** Engine commands that only read (queries are {@link AbstractQuery}s and pass without a name check). */
    private static final Pattern READ_COMMAND = Pattern.compile(
            "(Get|Find|Is|Check|Create\\w*Query|ExecuteFilter|Optimize|DetermineHistoryLevel|AuthorizationCheck)\\w*");
    /** Commands named like reads that write: a password check counts failed attempts (and can lock a user out). */
    private static final Set<String> WRITING_READS = Set.of("CheckPassword", "GetNextIdBlockCmd");
    private static final String ENGINE_PACKAGE = "org.camunda.bpm.engine.impl.";
    /** What shows the engine's own failure messages: stack traces, and the queries whose results carry a message. */
    private static final Set<String> FAILURE_CAUSES = Set.of("GetJobExceptionStacktraceCmd",
            "GetHistoricJobLogExceptionStacktraceCmd", "GetExternalTaskErrorDetailsCmd",
            "GetHistoricExternalTaskLogErrorDetailsCmd", "JobQueryImpl", "IncidentQueryImpl", "HistoricIncidentQueryImpl",
            "HistoricJobLogQueryImpl", "ExternalTaskQueryImpl", "HistoricExternalTaskLogQueryImpl");
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    static final int MAX_TEXT = 4000;

    private static final ThreadLocal<Boolean> inCommand = new ThreadLocal<>();

    private final FormFields formFields = new FormFields();
    private final PlatformUsers users;
    private final SecurityEvents securityEvents;

    PlatformCommandGuard(PlatformUsers users, SecurityEvents securityEvents) {
        this.users = users;
        this.securityEvents = securityEvents;
    }

    @Override
    public <T> T execute(Command<T> command) {
        if (inCommand.get() != null) {
            return next.execute(command);
        }
        inCommand.set(Boolean.TRUE);
        try {
            inspect(command, Context.getCommandContext());
            return next.execute(command);
        } catch (ProcessEngineException e) {
            throw refusalOfTaskInput(command, e);
        } finally {
            inCommand.remove();
        }
    }

    /**
     * A task's "complete" listener that refuses what a person entered throws a {@link TaskInputRefusedException}, which
     * the engine wraps twice ("ENGINE-03051 There was an exception while invoking the TaskListener ...") and, so
     * wrapped, logs with its stack trace as an error. A completion refused that way is given back as the refusal itself:
     * the caller reads the sentence, the log keeps a typo at debug level, the transaction rolls back all the same (the
     * engine's wrapping stays as the cause).
     */
    private static ProcessEngineException refusalOfTaskInput(Command<?> command, ProcessEngineException thrown) {
        if (thrown instanceof TaskInputRefusedException
                || !(command instanceof CompleteTaskCmd || command instanceof SubmitTaskFormCmd)) {
            return thrown;
        }
        for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof TaskInputRefusedException refusal) {
                return new TaskInputRefusedException(refusal.getMessage(), thrown);
            }
        }
        return thrown;
    }

    private void inspect(Command<?> command, CommandContext context) {
        Authentication caller = context == null ? null : context.getAuthentication();
        if (caller == null || caller.getUserId() == null) {
            return; // the engine itself (job executor) or the application's own code
        }
        List<String> groups = AccountAdministrators.groupsOf(caller);
        if (groups.contains(AccountGroups.CAMUNDA_ADMIN)) {
            return;
        }
        refuseQueryExpressions(command, caller);
        if (!isPlatformUser(caller.getUserId(), groups)) {
            return;
        }
        String name = command.getClass().getSimpleName();
        if (command.getClass().getName().startsWith(ENGINE_PACKAGE) && readsFailureCauses(command)
                && !groups.contains(AccountGroups.AUDITORS)) {
            throw refuse(caller, command, "ENGINE_OPERATION_REFUSED", "'" + describe(name) + "' shows the engine's own"
                    + " failure messages, which may name statements, keys, files and hosts: they are for the operators and the"
                    + " platform's auditors. The removal's audit and its notices tell a failure in words.");
        }
        if (command.getClass().getName().startsWith(ENGINE_PACKAGE) && taskOf(command) instanceof String taskId) {
            // Anything about one task, read or write: the task open and readable, else not found in the same words
            // whether it is missing or another's (some reads, a comment or an attachment by id, check nothing else).
            openTask(context, caller, taskId);
        }
        if (command instanceof AbstractQuery<?, ?> || !command.getClass().getName().startsWith(ENGINE_PACKAGE)
                || (READ_COMMAND.matcher(name).matches() && !WRITING_READS.contains(name))) {
            return;
        }
        switch (name) {
            case "StartProcessInstanceCmd" -> checkStart(context, caller, (ProcessInstantiationBuilderImpl) field(command,
                    "instantiationBuilder"));
            case "SubmitStartFormCmd" -> checkStartForm(context, caller, (String) field(command, "processDefinitionId"),
                    (String) field(command, "businessKey"), variables(field(command, "variables")));
            case "CompleteTaskCmd" -> checkCompletion(context, caller, (String) field(command, "taskId"),
                    variables(field(command, "variables")));
            case "SubmitTaskFormCmd" -> checkCompletion(context, caller, (String) field(command, "taskId"),
                    variables(field(command, "properties")));
            case "ClaimTaskCmd", "AssignTaskCmd" -> checkAssignment(context, caller, (String) field(command, "taskId"),
                    (String) field(command, "userId"));
            case "AddCommentCmd" -> checkComment(context, caller, (String) field(command, "taskId"),
                    (String) field(command, "processInstanceId"), (String) field(command, "message"));
            default -> throw refuse(caller, command, "ENGINE_OPERATION_REFUSED", "'" + describe(name)
                    + "' is not open to users of the platform: a removal moves only when its assignee completes "
                    + "their task through its form.");
        }
    }

    private boolean isPlatformUser(String userId, List<String> groups) {
        return groups.stream().anyMatch(AccountGroups::isPlatformGroup) || users.exists(userId);
    }

    // --- starting a removal ----------------------------------------------------------------------------------

    private void checkStart(CommandContext context, Authentication caller, ProcessInstantiationBuilderImpl builder) {
        if (builder.getModificationBuilder().isSkipCustomListeners() || builder.getModificationBuilder().isSkipIoMappings()) {
            throw refuse(caller, builder, "START_REFUSED",
                    "Starting a process while skipping its listeners or input/output mappings is refused.");
        }
        String definitionId = builder.getProcessDefinitionId() != null ? builder.getProcessDefinitionId()
                : context.getProcessEngineConfiguration().getDeploymentCache()
                        .findDeployedLatestProcessDefinitionByKey(builder.getProcessDefinitionKey()).getId();
        checkStartForm(context, caller, definitionId, builder.getBusinessKey(), variables(builder.getVariables()));
        if (builder.getCaseInstanceId() != null || builder.getTenantId() != null || builder.getRestartedProcessInstanceId() != null) {
            throw badRequest(caller, builder, "A case instance or tenant is not the caller's to choose.");
        }
    }

    private void checkStartForm(CommandContext context, Authentication caller, String processDefinitionId,
            String businessKey, Map<String, Object> variables) {
        ProcessDefinitionEntity definition = context.getProcessEngineConfiguration().getDeploymentCache()
                .findDeployedProcessDefinitionById(processDefinitionId);
        ProcessDefinitionEntity latest = context.getProcessEngineConfiguration().getDeploymentCache()
                .findDeployedLatestProcessDefinitionByKey(definition.getKey());
        if (!latest.getId().equals(definition.getId())) {
            throw refuse(caller, processDefinitionId, "START_REFUSED", "Only the current version of '"
                    + definition.getName() + "' can be started (version " + latest.getVersion() + ").");
        }
        if (businessKey != null) {
            throw badRequest(caller, processDefinitionId, "The business key of a removal is given by the application; "
                    + "send none.");
        }
        Set<String> fields = formFields.ofStart(context, processDefinitionId).orElse(Set.of());
        checkFields(caller, "its start form", fields, variables, processDefinitionId);
    }

    // --- working on a task -----------------------------------------------------------------------------------

    private void checkCompletion(CommandContext context, Authentication caller, String taskId, Map<String, Object> variables) {
        TaskEntity task = openTask(context, caller, taskId);
        if (!caller.getUserId().equals(task.getAssignee())) {
            throw refuse(caller, task, "TASK_NOT_ASSIGNED", "Only the person the task '" + task.getName()
                    + "' is assigned to may complete it" + (task.getAssignee() == null ? "; claim it first." : "."));
        }
        Set<String> fields = formFields.ofTask(context, task).orElseThrow(() -> refuse(caller, task, "ENGINE_OPERATION_REFUSED",
                "The task '" + task.getName() + "' has no form of this application: it is not completed this way."));
        checkFields(caller, "'" + task.getName() + "'", fields, variables, task);
    }

    private void checkAssignment(CommandContext context, Authentication caller, String taskId, String assignee) {
        TaskEntity task = openTask(context, caller, taskId);
        boolean claimsForThemselves = caller.getUserId().equals(assignee)
                && (task.getAssignee() == null || task.getAssignee().equals(assignee));
        boolean givesBackTheirOwn = assignee == null && caller.getUserId().equals(task.getAssignee());
        if (!claimsForThemselves && !givesBackTheirOwn) {
            throw refuse(caller, task, "ASSIGNMENT_REFUSED", "A task can only be claimed by the person who will work "
                    + "on it, and given back by its assignee.");
        }
        if (givesBackTheirOwn && task.getCandidates().isEmpty()) {
            // Given back, a task the process assigned to one person alone would be offered to no one: the removal
            // would wait on a task nobody sees (the requester's own withdrawal beside an approval, a restore's steps).
            throw refuse(caller, task, "ASSIGNMENT_REFUSED", "The task '" + task.getName() + "' is yours alone: no one "
                    + "else may take it, so it cannot be given back. It stays yours until it is completed or its removal moves on.");
        }
    }

    /** A comment by the task's assignee, on that task (and its own process instance), of a length that is kept. */
    private void checkComment(CommandContext context, Authentication caller, String taskId, String processInstanceId,
            String message) {
        TaskEntity task = openTask(context, caller, taskId);
        if (!caller.getUserId().equals(task.getAssignee())
                || (processInstanceId != null && !processInstanceId.equals(task.getProcessInstanceId()))) {
            throw refuse(caller, task, "COMMENT_REFUSED", "Only the person a task is assigned to may comment on it.");
        }
        String problem = problemWith(message);
        if (problem != null) {
            throw badRequest(caller, task, "The comment " + problem);
        }
    }

    /**
     * The open task, when the caller may read it. A task they may not read (another account's) is answered as one that
     * does not exist, in the same words, so that its id, name and state are not told by the refusal; the attempt is
     * recorded all the same.
     */
    private TaskEntity openTask(CommandContext context, Authentication caller, String taskId) {
        TaskEntity task = taskId == null ? null : context.getTaskManager().findTaskById(taskId);
        if (task != null && !readable(context, task)) {
            record(caller, task, "TASK_NOT_VISIBLE", "Asked for a task they may not read.");
            task = null;
        }
        if (task == null) {
            throw new NotFoundException("Task " + taskId + " is not open: it was completed already, its removal ended "
                    + "or was cancelled, or it does not exist.");
        }
        return task;
    }

    private static boolean readable(CommandContext context, TaskEntity task) {
        try {
            for (CommandChecker checker : context.getProcessEngineConfiguration().getCommandCheckers()) {
                checker.checkReadTask(task);
            }
            return true;
        } catch (AuthorizationException notPermitted) {
            return false;
        }
    }

    // --- what is sent ----------------------------------------------------------------------------------------

    private void checkFields(Authentication caller, String form, Set<String> fields, Map<String, Object> variables,
            Object target) {
        for (String name : variables.keySet()) {
            if (name == null || !VARIABLE_NAME.matcher(name).matches()) {
                throw badRequest(caller, target, "Variable names are letters, digits and underscores, at most 64.");
            }
        }
        Set<String> unexpected = new TreeSet<>(variables.keySet());
        unexpected.removeAll(fields);
        if (!unexpected.isEmpty()) {
            throw badRequest(caller, target, form + " accepts only " + new TreeSet<>(fields) + "; refused: "
                    + unexpected + ".");
        }
        for (String name : variables.keySet()) {
            // A variable map would deserialize an object value to hand it out: look at it as it was sent.
            Object value = variables instanceof VariableMap typed ? typed.getValueTyped(name) : variables.get(name);
            String problem = problemWith(value);
            if (problem != null) {
                throw badRequest(caller, target, "The value of " + name + " " + problem);
            }
        }
    }

    /** Why a value a person sent is refused, or null. */
    static String problemWith(Object value) {
        Object raw = value;
        if (value instanceof TypedValue typed) {
            if (typed.getType() != null && !typed.getType().isPrimitiveValueType()) {
                return "must be text, a number, a boolean or a date, not " + typed.getType().getName() + ".";
            }
            raw = typed.getValue();
        }
        if (raw == null || raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Double
                || raw instanceof Boolean || raw instanceof Date) {
            return null;
        }
        if (raw instanceof String text) {
            if (text.length() > MAX_TEXT) {
                return "is " + text.length() + " characters long; at most " + MAX_TEXT + " are kept.";
            }
            if (text.indexOf('\0') >= 0) {
                return "contains a NUL character.";
            }
            return null;
        }
        return "must be text, a number, a boolean or a date.";
    }

    // --- queries ---------------------------------------------------------------------------------------------

    private void refuseQueryExpressions(Command<?> command, Authentication caller) {
        Object query = command;
        if (command.getClass().getSimpleName().startsWith("ExecuteFilter")) {
            query = field(command, "extendingQuery");
        }
        if (query instanceof AbstractQuery<?, ?> abstractQuery && hasExpressions(abstractQuery)) {
            throw badRequest(caller, command, "Queries may not contain expressions (such as assigneeExpression), "
                    + "also not in orQueries or a filter's extending query.");
        }
    }

    /**
     * Whether the command reads (or, by a query's criteria, tests) the engine's own failure messages and stack traces:
     * jobs, incidents, external tasks and their logs, and process instances looked up by an incident's message.
     */
    private static boolean readsFailureCauses(Command<?> command) {
        if (FAILURE_CAUSES.contains(command.getClass().getSimpleName())) {
            return true;
        }
        if (command instanceof AbstractQuery<?, ?>) {
            // Any query that looks rows up by an incident's message (process instances, executions, their history),
            // also inside its orQueries: a "like" criterion would spell a message out letter by letter.
            List<Object> queries = new java.util.ArrayList<>(List.of(command));
            if (optionalField(command, "queries") instanceof List<?> orQueries) {
                queries.addAll(orQueries);
            }
            return queries.stream().anyMatch(query -> optionalField(query, "incidentMessage") != null
                    || optionalField(query, "incidentMessageLike") != null);
        }
        return false;
    }

    private static boolean hasExpressions(AbstractQuery<?, ?> query) {
        if (!query.getExpressions().isEmpty()) {
            return true;
        }
        if (query instanceof TaskQueryImpl taskQuery && taskQuery.getQueries() != null) {
            return taskQuery.getQueries().stream().anyMatch(orQuery -> orQuery != query && !orQuery.getExpressions().isEmpty());
        }
        return false;
    }

    // --- refusals --------------------------------------------------------------------------------------------

    private AuthorizationException refuse(Authentication caller, Object target, String kind, String message) {
        record(caller, target, kind, message);
        return new AuthorizationException(message);
    }

    private BadUserRequestException badRequest(Authentication caller, Object target, String message) {
        record(caller, target, "INPUT_REFUSED", message);
        return new BadUserRequestException(message);
    }

    private void record(Authentication caller, Object target, String kind, String message) {
        String processInstanceId = null;
        String taskId = null;
        if (target instanceof TaskEntity task) {
            processInstanceId = task.getProcessInstanceId();
            taskId = task.getId();
        } else if (target instanceof Command<?> command) {
            taskId = (String) optionalField(command, "taskId");
            processInstanceId = (String) optionalField(command, "processInstanceId");
        }
        log.warn("Refused for {}: {}", caller.getUserId(), message);
        securityEvents.record(caller.getUserId(), kind, processInstanceId, taskId, message);
    }

    private static String describe(String commandName) {
        return commandName.replaceAll("Cmd$|Command$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> variables(Object variables) {
        return variables == null ? Map.of() : (Map<String, Object>) variables;
    }

    /** A field of an engine command, read as the command holds it; fails closed when the engine changed its shape. */
    static Object field(Object command, String name) {
        Field field = findField(command.getClass(), name);
        if (field == null) {
            throw new AuthorizationException("Refused: " + command.getClass().getSimpleName() + " has no field " + name
                    + " (an engine version this application does not know).");
        }
        try {
            return field.get(command);
        } catch (IllegalAccessException e) {
            throw new AuthorizationException("Refused: cannot read " + name + " of " + command.getClass().getSimpleName());
        }
    }

    /** The task a command is about: its taskId, or the resource of a task form's variables. */
    private static Object taskOf(Command<?> command) {
        return command instanceof GetTaskFormVariablesCmd ? optionalField(command, "resourceId") : optionalField(command, "taskId");
    }

    private static Object optionalField(Object command, String name) {
        Field field = findField(command.getClass(), name);
        try {
            return field == null ? null : field.get(command);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Field findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return Objects.requireNonNull(field);
            } catch (NoSuchFieldException notHere) {
                // look in the superclass
            }
        }
        return null;
    }
}
