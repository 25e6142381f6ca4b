package io.psaremoval.account;

import static io.psaremoval.removal.RemovalVariables.*;

import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads the requester's account and role from the platform's users table for the user who started the
 * process (the engine's {@code initiator}), records the removal, and overwrites any variable of the same
 * name a caller sent along: a forged role or account grants nothing.
 */
@Component
class IdentifyRequesterDelegate implements JavaDelegate {

    private static final Logger log = LoggerFactory.getLogger(IdentifyRequesterDelegate.class);
    private static final List<String> TRUSTED = List.of(ACCOUNT_ID, ACCOUNT_NAME, REQUESTER_ROLE, REQUESTER_NAME,
            ADMINISTRATORS_GROUP, REMOVAL_PERMISSION, REMOVAL_ID, INTEGRATION_ID, INTEGRATION_NAME);

    private final PlatformUserRepository users;
    private final AccountRepository accounts;
    private final RemovalService removals;

    IdentifyRequesterDelegate(PlatformUserRepository users, AccountRepository accounts, RemovalService removals) {
        this.users = users;
        this.accounts = accounts;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        List<String> forged = TRUSTED.stream().filter(execution::hasVariable).toList();
        String username = (String) execution.getVariable(INITIATOR);
        if (execution.getProcessBusinessKey() == null) {
            execution.setProcessBusinessKey("removal-" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE)
                    + "-" + execution.getProcessInstanceId().replace("-", "").substring(0, 8));
        }
        Optional<PlatformUser> requester = username == null ? Optional.empty() : users.findActiveByUsername(username);
        Removal removal = removals.register(execution.getProcessInstanceId(), execution.getProcessBusinessKey(),
                requester, username, (String) execution.getVariable(REMOVAL_REASON));
        if (!forged.isEmpty()) {
            log.warn("Removal {}: variables {} sent by {} at the start were ignored and overwritten",
                    removal.businessKey(), forged, username);
        }
        execution.setVariable(REMOVAL_ID, removal.id());
        execution.setVariable(REQUESTER_ROLE, removal.requesterRole());
        execution.setVariable(REQUESTER_NAME, requester.map(PlatformUser::fullName).orElse(username));
        execution.setVariable(ACCOUNT_ID, removal.accountId());
        execution.setVariable(ACCOUNT_NAME, removal.accountId() == null ? null
                : accounts.findName(removal.accountId()).orElse(null));
        execution.setVariable(ADMINISTRATORS_GROUP,
                removal.accountId() == null ? null : Role.ADMINISTRATOR.groupOf(removal.accountId()));
        execution.removeVariable(REMOVAL_PERMISSION);
        execution.removeVariable(INTEGRATION_ID);
        execution.removeVariable(INTEGRATION_NAME);
    }
}
