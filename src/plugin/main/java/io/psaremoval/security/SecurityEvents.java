package io.psaremoval.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Records refused or neutralised attempts, in a transaction of their own so that they outlive a rollback. */
@Service
public class SecurityEvents {

    private static final Logger log = LoggerFactory.getLogger(SecurityEvents.class);

    private final JdbcClient jdbc;

    SecurityEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records the event. What a caller sent may be part of the texts: control characters are replaced and the texts
     * shortened, so that recording never fails; if it still does, the failure is logged and the refusal that is being
     * recorded goes on to the caller all the same.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(String username, String kind, String processInstanceId, String taskId, String detail) {
        String who = clean(username, 200);
        String what = clean(detail, 2000);
        log.warn("Security event {} by {} (process instance {}, task {}): {}", kind, who, clean(processInstanceId, 100),
                clean(taskId, 100), what);
        try {
            jdbc.sql("""
                    insert into security_event (username, kind, process_instance_id, task_id, detail)
                    values (:username, :kind, :pid, :task, :detail)""")
                    .param("username", who).param("kind", kind).param("pid", clean(processInstanceId, 100))
                    .param("task", clean(taskId, 100)).param("detail", what)
                    .update();
        } catch (RuntimeException e) {
            log.error("Security event {} by {} could not be recorded", kind, who, e);
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
