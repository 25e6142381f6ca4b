package io.psaremoval.account;

import java.util.Locale;

/** The platform's roles: six an account can give its users, and two for the vendor's staff. */
public enum Role {
    ADMINISTRATOR("Administrator"),
    MANAGER("Manager"),
    EDITOR("Editor"),
    CREATOR("Creator"),
    LITE("Lite"),
    READ_ONLY("Read-only"),
    SUPPORT("Support agent"),
    AUDITOR("Auditor");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The name a person reads, e.g. "Read-only". */
    public String label() {
        return label;
    }

    /** The name with its article, as a sentence reads it: "an Administrator", "a Manager". */
    public String withArticle() {
        return ("AEIOU".indexOf(label.charAt(0)) >= 0 ? "an " : "a ") + label;
    }

    /**
     * Whether this role may remove a PSA integration: Manager and Administrator. The decision table
     * {@code RemovalPermission} decides the same in the flow; write steps ask this again from the database.
     */
    public boolean mayRemove() {
        return this == ADMINISTRATOR || this == MANAGER;
    }

    public boolean isAccountRole() {
        return this != SUPPORT && this != AUDITOR;
    }

    /** The engine group of this role in one account, e.g. {@code account-7-manager}. */
    public String groupOf(long accountId) {
        return AccountGroups.ofAccount(accountId) + "-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
