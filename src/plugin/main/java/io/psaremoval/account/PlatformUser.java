package io.psaremoval.account;

import java.util.List;

/** A person who can sign in: a user of one account, or the vendor's support agent or auditor. */
public record PlatformUser(long id, Long accountId, String username, String fullName, String email, Role role,
        boolean active) {

    /** The groups this user belongs to in the engine. */
    public List<String> engineGroups() {
        return switch (role) {
            case SUPPORT -> List.of(AccountGroups.SUPPORT);
            // A platform auditor reads every account's removals; an account's auditor only that account's.
            case AUDITOR -> accountId == null ? List.of(AccountGroups.AUDITORS) : List.of(role.groupOf(accountId));
            default -> List.of(AccountGroups.ofAccount(accountId), role.groupOf(accountId));
        };
    }
}
