package io.psaremoval.account;

/** A person who can sign in: a user of one account, or the vendor's support agent or auditor. */
public record PlatformUser(long id, Long accountId, String username, String fullName, String email, Role role,
        boolean active) {

    /** The groups this user belongs to in the engine. */
    public java.util.List<String> engineGroups() {
        return switch (role) {
            case SUPPORT -> java.util.List.of(AccountGroups.SUPPORT);
            case AUDITOR -> java.util.List.of(AccountGroups.AUDITORS);
            default -> java.util.List.of(AccountGroups.ofAccount(accountId), role.groupOf(accountId));
        };
    }
}
