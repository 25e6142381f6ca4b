package io.psaremoval.account;

import static io.psaremoval.removal.RemovalVariables.SUPPORT_ASSIGNEE;
import static io.psaremoval.removal.RemovalVariables.SUPPORT_NOTE;

import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Switches bulk delete on for the removal's account, as support decided, recording who did it. */
@Component
class EnableBulkDeleteDelegate implements JavaDelegate {

    private final AccountRepository accounts;
    private final RemovalService removals;

    EnableBulkDeleteDelegate(AccountRepository accounts, RemovalService removals) {
        this.accounts = accounts;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Removal removal = removals.get(execution.getProcessInstanceId());
        String supporter = (String) execution.getVariable(SUPPORT_ASSIGNEE);
        accounts.enableBulkDelete(removal.requireAccountId(), supporter == null ? "support" : supporter,
                (String) execution.getVariable(SUPPORT_NOTE), removal.id());
    }
}
