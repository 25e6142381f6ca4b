package io.psaremoval.account;

import java.util.List;

/** A person who can sign in: a user of one account, or the vendor's support agent or auditor. */
public record PlatformUser(long id, Long accountId, String username, String fullName, String email, Role role,
        boolean active) {

    /** The groups this user belongs to in the engine. */
    public List<String> engineGroups() {
        return switch (role) {
            case SUPPORT -> List.of(AccountGroups.SUPPORT);
            case AUDITOR -> List.of(AccountGroups.AUDITORS);
            default -> List.of(AccountGroups.ofAccount(accountId), role.groupOf(accountId));
        };
    }
}
