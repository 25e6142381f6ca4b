package io.psaremoval.engine;

import io.psaremoval.security.SecurityEvents;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;

/**
 * A pre-command interceptor, outside the command's transaction: the security events the command records (the guard's
 * refusals, a form's refused input) are written once its transaction has ended and its connection is back in the
 * pool (see {@link SecurityEvents#deferredUntilDone}).
 */
final class SecurityEventsAfterCommand extends CommandInterceptor {

    private final SecurityEvents securityEvents;

    SecurityEventsAfterCommand(SecurityEvents securityEvents) {
        this.securityEvents = securityEvents;
    }

    @Override
    public <T> T execute(Command<T> command) {
        return securityEvents.deferredUntilDone(() -> next.execute(command));
    }
}
