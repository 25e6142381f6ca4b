package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.COOLS_OFF;
import static io.psaremoval.camunda.RemovalVariables.SNAPSHOT_FILE;
import static io.psaremoval.camunda.RemovalVariables.SNAPSHOT_OUTCOME;

import io.psaremoval.removal.RemovalService;
import io.psaremoval.removal.ScopeSnapshots;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Takes the verified snapshot of the confirmed scope before the hard delete; the outcome and the file's name (never
 * the server's folders) go into variables for Cockpit, and whether the deletion waits out a cooling-off period for the
 * gateway that follows (the write steps check it again from the record). A snapshot that fails its verification fails
 * the job.
 */
@Component
class TakeScopeSnapshotDelegate extends WriteStepDelegate {

    private final ScopeSnapshots snapshots;
    private final RemovalService removals;

    TakeScopeSnapshotDelegate(ScopeSnapshots snapshots, RemovalService removals) {
        this.snapshots = snapshots;
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        ScopeSnapshots.Snapshot snapshot = snapshots.take(execution.getProcessInstanceId());
        execution.setVariable(SNAPSHOT_OUTCOME, snapshot.outcome().name());
        execution.setVariable(COOLS_OFF, removals.get(execution.getProcessInstanceId()).coolsOff());
        if (snapshot.backup() != null) {
            String location = snapshot.backup().location();
            execution.setVariable(SNAPSHOT_FILE, location.substring(Math.max(location.lastIndexOf('/'),
                    location.lastIndexOf('\\')) + 1));
        }
    }
}
