package io.psaremoval.security;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records refused or neutralised attempts, in a transaction of their own so that they outlive a rollback.
 *
 * <p>Inside an engine command ({@link #deferredUntilDone}), an event is written once the command is over, its
 * transaction ended and its connection back in the pool: a refusal then holds one connection at a time, never its own
 * and a second one for its record. Otherwise twenty callers sending refused commands at once would hold every
 * connection of a pool of twenty, each waiting for a second one, and stall the engine, its jobs and every removal
 * until the pool's timeout.
 */
@Service
public class SecurityEvents {

    private static final Logger log = LoggerFactory.getLogger(SecurityEvents.class);

    /** The events recorded while the thread runs an engine command, written when it is over. */
    private static final ThreadLocal<List<Event>> DEFERRED = new ThreadLocal<>();

    /** An event as recorded, with the moment it happened (not the moment it is written). */
    private record Event(java.time.OffsetDateTime at, String username, String kind, String processInstanceId,
            String taskId, String detail) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;

    SecurityEvents(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * Records the event, at once or, inside {@link #deferredUntilDone}, when the action is over. What a caller sent may
     * be part of the texts: control characters are replaced and the texts shortened, so that recording never fails; if
     * it still does, the failure is logged and the refusal that is being recorded goes on to the caller all the same.
     */
    public void record(String username, String kind, String processInstanceId, String taskId, String detail) {
        Event event = new Event(java.time.OffsetDateTime.now(), clean(username, 200), kind, clean(processInstanceId, 100),
                clean(taskId, 100), clean(detail, 2000));
        log.warn("Security event {} by {} (process instance {}, task {}): {}", kind, event.username(),
                event.processInstanceId(), event.taskId(), event.detail());
        List<Event> deferred = DEFERRED.get();
        if (deferred != null) {
            deferred.add(event);
        } else {
            write(List.of(event));
        }
    }

    /**
     * Runs the action (an engine command, from outside its transaction); the events recorded meanwhile are written
     * when it is over, whether it succeeded or failed. Inside another such action, the outer one writes them.
     */
    public <T> T deferredUntilDone(Supplier<T> action) {
        if (DEFERRED.get() != null) {
            return action.get();
        }
        List<Event> deferred = new ArrayList<>();
        DEFERRED.set(deferred);
        try {
            return action.get();
        } finally {
            DEFERRED.remove();
            if (!deferred.isEmpty()) {
                write(deferred);
            }
        }
    }

    /** Each event in a transaction of its own, so that one that cannot be written costs no other. */
    private void write(List<Event> events) {
        for (Event event : events) {
            try {
                ownTransaction.executeWithoutResult(status -> jdbc.sql("""
                        insert into security_event (occurred_at, username, kind, process_instance_id, task_id, detail)
                        values (:at, :username, :kind, :pid, :task, :detail)""")
                        .param("at", event.at()).param("username", event.username()).param("kind", event.kind())
                        .param("pid", event.processInstanceId()).param("task", event.taskId())
                        .param("detail", event.detail())
                        .update());
            } catch (RuntimeException e) {
                log.error("Security event {} by {} could not be recorded", event.kind(), event.username(), e);
            }
        }
    }

    /** The text without control characters (a NUL cannot be stored), at most the given length. */
    static String clean(String text, int maxLength) {
        if (text == null) {
            return null;
        }
        String printable = text.replaceAll("\\p{Cntrl}", "\uFFFD");
        return printable.length() <= maxLength ? printable : printable.substring(0, maxLength) + "…";
    }
}
