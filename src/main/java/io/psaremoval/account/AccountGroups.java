package io.psaremoval.account;

/** Names of the engine groups that mirror the platform's accounts and staff roles. */
public final class AccountGroups {

    public static final String SUPPORT = "support";
    public static final String AUDITORS = "auditors";
    public static final String CAMUNDA_ADMIN = "camunda-admin";

    private AccountGroups() {
    }

    /** Every user of an account belongs to this group. */
    public static String ofAccount(long accountId) {
        return "account-" + accountId;
    }
}
