package io.psaremoval.account;

/** Names of the engine groups that mirror the platform's accounts and staff roles. */
public final class AccountGroups {

    /** Groups of the platform's staff, prefixed so that they never meet a host's own groups of the same purpose. */
    public static final String SUPPORT = "psa-support";
    public static final String AUDITORS = "psa-auditors";
    public static final String CAMUNDA_ADMIN = "camunda-admin";

    private AccountGroups() {
    }

    private static final java.util.regex.Pattern ACCOUNT_GROUP = java.util.regex.Pattern.compile("account-\\d+(-[a-z-]+)?");

    /** Whether the identity mirror keeps this group: a group of the platform's people, not one of the host's. */
    public static boolean isPlatformGroup(String groupId) {
        return SUPPORT.equals(groupId) || AUDITORS.equals(groupId) || ACCOUNT_GROUP.matcher(groupId).matches();
    }

    private static final java.util.regex.Pattern ACCOUNT_AUDITOR_GROUP = java.util.regex.Pattern.compile("account-(\\d+)-auditor");

    /** The account whose auditors this group is ({@code account-7-auditor} → 7), if it is such a group. */
    private static final java.util.regex.Pattern ACCOUNT_ADMINISTRATOR_GROUP =
            java.util.regex.Pattern.compile("account-(\\d+)-administrator");

    /** The account whose removals the members of this group may read in the audit: its auditors and Administrators. */
    public static java.util.Optional<Long> accountReadableInTheAudit(String groupId) {
        java.util.regex.Matcher administrators = ACCOUNT_ADMINISTRATOR_GROUP.matcher(groupId);
        return administrators.matches() ? java.util.Optional.of(Long.parseLong(administrators.group(1)))
                : accountOfAuditors(groupId);
    }

    public static java.util.Optional<Long> accountOfAuditors(String groupId) {
        java.util.regex.Matcher matcher = ACCOUNT_AUDITOR_GROUP.matcher(groupId);
        return matcher.matches() ? java.util.Optional.of(Long.parseLong(matcher.group(1))) : java.util.Optional.empty();
    }

    /** Every user of an account belongs to this group. */
    public static String ofAccount(long accountId) {
        return "account-" + accountId;
    }
}
