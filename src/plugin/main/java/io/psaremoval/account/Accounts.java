package io.psaremoval.account;

import java.util.Optional;

/** The platform's accounts and their bulk delete feature. Default: the {@code account} table ({@link AccountRepository}). */
public interface Accounts {

    Optional<String> findName(long accountId);

    boolean isBulkDeleteEnabled(long accountId);

    /** Whether bulk delete is enabled, held so that switching it off waits until the caller's transaction ends. */
    boolean isBulkDeleteEnabledForWrite(long accountId);

    /** Switches bulk delete on and records who did it; a repeated call changes and records nothing. */
    void enableBulkDelete(long accountId, String changedBy, String note, Long removalId);
}
