package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.*;

import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
import io.psaremoval.engine.EngineAuthorizations;
import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalInputException;
import io.psaremoval.removal.RemovalService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.psaremoval.security.SecurityEvents;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Reads the requester's account and role from the platform's users table for the user who started the process
 * (the authenticated user of the starting command; the engine's {@code initiator} only when there is none, as for
 * the application's own Java calls), records the removal, and removes every variable a caller sent along besides
 * the reason (recorded as a security event): a forged role, account or initiator grants nothing. The business key
 * is the application's. The requester's account may then see this removal and its history. A person who asked for
 * {@code psa.removal.max-requests-per-day} removals in the last 24 hours is refused at once (400), nothing started.
 */
@Component
class IdentifyRequesterDelegate implements JavaDelegate {

    /** The only variables a caller may send when starting a removal; any other is removed and recorded. */
    private static final Set<String> START_VARIABLES = Set.of(INITIATOR, REMOVAL_REASON);

    private final PlatformUsers users;
    private final Accounts accounts;
    private final RemovalService removals;
    private final SecurityEvents securityEvents;
    private final EngineAuthorizations authorizations;

    IdentifyRequesterDelegate(PlatformUsers users, Accounts accounts, RemovalService removals,
            SecurityEvents securityEvents, EngineAuthorizations authorizations) {
        this.users = users;
        this.accounts = accounts;
        this.removals = removals;
        this.securityEvents = securityEvents;
        this.authorizations = authorizations;
    }

    @Override
    public void execute(DelegateExecution execution) {
        List<String> ignored = new ArrayList<>(execution.getVariableNames().stream()
                .filter(name -> !START_VARIABLES.contains(name)).sorted().toList());
        ignored.forEach(execution::removeVariable);
        String authenticated = Context.getCommandContext().getAuthenticatedUserId();
        Object initiator = execution.getVariable(INITIATOR);
        String username = authenticated != null ? authenticated : initiator instanceof String name ? name : null;
        if (authenticated != null && initiator != null && !authenticated.equals(initiator)) {
            ignored.add(INITIATOR + "=" + initiator);
        }
        execution.setVariable(INITIATOR, username);
        String businessKey = BusinessKeys.ofRemoval(execution.getProcessInstanceId(),
                key -> removals.businessKeyTaken(key, execution.getProcessInstanceId()));
        if (execution.getProcessBusinessKey() != null && !execution.getProcessBusinessKey().equals(businessKey)) {
            ignored.add("businessKey=" + execution.getProcessBusinessKey());
        }
        execution.setProcessBusinessKey(businessKey);
        Object reason = execution.getVariable(REMOVAL_REASON);
        Optional<PlatformUser> requester = username == null ? Optional.empty() : users.findActiveByUsername(username);
        Removal removal;
        try {
            removal = removals.register(execution.getProcessInstanceId(), businessKey, requester, username,
                    reason instanceof String text ? text : null);
        } catch (RemovalInputException tooMany) {
            securityEvents.record(username, "START_REFUSED", null, null, tooMany.getMessage());
            throw TaskInput.refused(tooMany.getMessage()); // the start fails with 400; nothing of it stays
        }
        if (!ignored.isEmpty()) {
            securityEvents.record(username, "START_VARIABLES_IGNORED", execution.getProcessInstanceId(), null,
                    "Sent at the start and ignored: " + ignored);
            execution.setVariable(IGNORED_START_VARIABLES, String.join(", ", ignored));
        }
        if (removal.accountId() != null) {
            authorizations.grantRemovalToAccount(execution.getProcessInstanceId(), removal.accountId());
        }
        execution.setVariable(REMOVAL_ID, removal.id());
        execution.setVariable(REQUESTER_ROLE, removal.requesterRole());
        RemovalVariables.setShown(execution, REQUESTER_NAME, requester.map(PlatformUser::fullName).orElse(username));
        execution.setVariable(REQUESTER_ROLE_LABEL, requester.map(user -> user.role().label()).orElse("no role in an account"));
        RemovalVariables.setShown(execution, ACCOUNT_ADMINISTRATORS, removal.accountId() == null ? "none"
                : administratorsOf(removal.accountId()));
        execution.setVariable(ACCOUNT_ID, removal.accountId());
        RemovalVariables.setShown(execution, ACCOUNT_NAME, removal.accountId() == null ? null
                : accounts.findName(removal.accountId()).orElse(null));
        execution.setVariable(ADMINISTRATORS_GROUP,
                removal.accountId() == null ? null : Role.ADMINISTRATOR.groupOf(removal.accountId()));
    }

    /** The account's Administrators as a person reads them: "Ada Admin, Bob Boss", at most ten. */
    private String administratorsOf(long accountId) {
        List<PlatformUser> administrators = users.findActiveInAccount(accountId, Role.ADMINISTRATOR);
        if (administrators.isEmpty()) {
            return "none: ask your vendor's support";
        }
        return PlatformUser.namesOf(administrators);
    }
}
