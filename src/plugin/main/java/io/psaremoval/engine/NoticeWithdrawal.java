package io.psaremoval.engine;

import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.runtime.MessageCorrelationBuilder;

/**
 * Withdraws a removal's notices (process {@value EngineAuthorizations#NOTICE_PROCESS_KEY}) that no longer hold, from
 * inside the engine command that changed the removal: the message {@value #MESSAGE}, correlated by the removal's
 * business key, without the engine's authorization checks (the person whose command it is may not send messages).
 */
public final class NoticeWithdrawal {

    /** The message that withdraws a notice. */
    public static final String MESSAGE = "RemovalNoticeWithdrawn";
    /** The notice's variable that says what it is about. */
    public static final String KIND = "noticeKind";
    /** The notice's variable that names its one reader, its task's assignee. */
    public static final String READER = "noticeReader";
    /** The notice's variable that holds its title, its task's name. */
    public static final String TITLE = "noticeTitle";

    private NoticeWithdrawal() {
    }

    /** Whether the removal has an open notice of this kind. */
    public static boolean isOpen(String businessKey, String kind) {
        return Context.getCommandContext().runWithoutAuthorization(() -> Context.getProcessEngineConfiguration()
                .getRuntimeService().createProcessInstanceQuery().processDefinitionKey(EngineAuthorizations.NOTICE_PROCESS_KEY)
                .processInstanceBusinessKey(businessKey).variableValueEquals(KIND, kind).count() > 0);
    }

    /** Withdraws the removal's open notices of this kind, or of every kind when {@code kind} is null. */
    public static void withdraw(String businessKey, String kind) {
        Context.getCommandContext().runWithoutAuthorization(() -> {
            MessageCorrelationBuilder correlation = Context.getProcessEngineConfiguration().getRuntimeService()
                    .createMessageCorrelation(MESSAGE).processInstanceBusinessKey(businessKey);
            if (kind != null) {
                correlation.processInstanceVariableEquals(KIND, kind);
            }
            correlation.correlateAll();
            return null;
        });
    }
}
