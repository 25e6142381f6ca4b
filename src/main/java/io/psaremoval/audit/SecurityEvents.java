package io.psaremoval.audit;

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

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(String username, String kind, String processInstanceId, String taskId, String detail) {
        log.warn("Security event {} by {} (process instance {}, task {}): {}", kind, username, processInstanceId, taskId,
                detail);
        jdbc.sql("""
                insert into security_event (username, kind, process_instance_id, task_id, detail)
                values (:username, :kind, :pid, :task, :detail)""")
                .param("username", username).param("kind", kind).param("pid", processInstanceId)
                .param("task", taskId).param("detail", detail)
                .update();
    }
}
