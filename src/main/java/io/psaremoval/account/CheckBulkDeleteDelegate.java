package io.psaremoval.account;

import static io.psaremoval.removal.RemovalVariables.BULK_DELETE_ENABLED;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Reads whether bulk delete is enabled on the removal's account. */
@Component
class CheckBulkDeleteDelegate implements JavaDelegate {

    private final AccountRepository accounts;
    private final RemovalService removals;

    CheckBulkDeleteDelegate(AccountRepository accounts, RemovalService removals) {
        this.accounts = accounts;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long accountId = removals.get(execution.getProcessInstanceId()).requireAccountId();
        execution.setVariable(BULK_DELETE_ENABLED, accounts.isBulkDeleteEnabled(accountId));
    }
}
