package io.psaremoval.integration;

import java.util.List;
import java.util.Optional;

/**
 * The platform's PSA and RMM integrations and their status. Default: the {@code integration} table
 * ({@link IntegrationRepository}). Every status change is conditional on the status it expects.
 */
public interface Integrations {

    Optional<Integration> findById(long id);

    /** Active or paused PSA integrations of the account with the number of organizations each syncs. */
    List<RemovablePsaIntegration> findRemovablePsaIntegrations(long accountId);

    /** Marks the integration as being removed; false when it is not (any longer) a removable PSA of the account. */
    boolean markRemoving(long id, long accountId);

    /** Gives a reserved integration the given status; no-op when it is not being removed. */
    void restoreStatus(long id, IntegrationStatus status);

    void markDisconnected(long id);

    void markDeleted(long id);
}
