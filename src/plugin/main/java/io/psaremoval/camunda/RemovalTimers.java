package io.psaremoval.camunda;

import io.psaremoval.removal.RemovalSettings;
import org.springframework.stereotype.Component;

/** {@link RemovalSettings} in the form the BPMN's timers and retry cycles read them. */
@Component("removalTimers")
public class RemovalTimers {

    private final RemovalSettings settings;

    RemovalTimers(RemovalSettings settings) {
        this.settings = settings;
    }

    /** ISO-8601 duration of the requester's tasks' boundary timers. */
    public String userTask() {
        return settings.userTaskTimeout().toString();
    }

    /** ISO-8601 duration of the support task's boundary timer. */
    public String supportTask() {
        return settings.supportTaskTimeout().toString();
    }

    /** ISO-8601 duration after which an unread notice of the removal closes by itself. */
    public String notice() {
        return settings.noticeTimeout().toString();
    }

    public String jobRetryCycle() {
        return settings.jobRetryCycle();
    }
}
