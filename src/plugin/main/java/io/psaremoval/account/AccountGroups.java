package io.psaremoval.account;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names of the engine groups that mirror the platform's accounts and staff roles. */
public final class AccountGroups {

    /** Groups of the platform's staff, prefixed so that they never meet a host's own groups of the same purpose. */
    public static final String SUPPORT = "psa-support";
    public static final String AUDITORS = "psa-auditors";
    public static final String CAMUNDA_ADMIN = "camunda-admin";

    private AccountGroups() {
    }

    private static final Pattern ACCOUNT_GROUP = Pattern.compile("account-\\d+(-[a-z-]+)?");

    /** Whether the identity mirror keeps this group: a group of the platform's people, not one of the host's. */
    public static boolean isPlatformGroup(String groupId) {
        return SUPPORT.equals(groupId) || AUDITORS.equals(groupId) || ACCOUNT_GROUP.matcher(groupId).matches();
    }

    private static final Pattern ACCOUNT_AUDITOR_GROUP = Pattern.compile("account-(\\d+)-auditor");
    private static final Pattern ACCOUNT_ADMINISTRATOR_GROUP = Pattern.compile("account-(\\d+)-administrator");

    /** The account whose removals the members of this group may read in the audit: its auditors and Administrators. */
    public static Optional<Long> accountReadableInTheAudit(String groupId) {
        return accountOfAdministrators(groupId).or(() -> accountOfAuditors(groupId));
    }

    /** The account whose Administrators this group is ({@code account-7-administrator} → 7), if it is such a group. */
    public static Optional<Long> accountOfAdministrators(String groupId) {
        Matcher matcher = ACCOUNT_ADMINISTRATOR_GROUP.matcher(groupId);
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    /** The account whose auditors this group is ({@code account-7-auditor} → 7), if it is such a group. */
    public static Optional<Long> accountOfAuditors(String groupId) {
        Matcher matcher = ACCOUNT_AUDITOR_GROUP.matcher(groupId);
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    private static final Pattern ACCOUNT_OF_GROUP = Pattern.compile("account-(\\d+)(?:-([a-z-]+))?");

    /**
     * A group of the platform as people read it, given the name of its account where it has one:
     * "Acme IT: Administrators", "Acme IT: everyone", "PSA support agents".
     */
    public static String nameOf(String groupId, LongFunction<Optional<String>> accountName) {
        if (SUPPORT.equals(groupId)) {
            return "PSA support agents";
        }
        if (AUDITORS.equals(groupId)) {
            return "PSA auditors";
        }
        Matcher matcher = ACCOUNT_OF_GROUP.matcher(groupId);
        if (!matcher.matches()) {
            return groupId;
        }
        long accountId = Long.parseLong(matcher.group(1));
        String named = accountName.apply(accountId).orElse("Account " + accountId);
        // The engine keeps 255 characters of a group's name.
        String account = named.length() > 200 ? named.substring(0, 199) + "…" : named;
        if (matcher.group(2) == null) {
            return account + ": everyone";
        }
        return Arrays.stream(Role.values()).filter(role -> role.groupOf(accountId).equals(groupId)).findFirst()
                .map(role -> account + ": " + (role == Role.LITE || role == Role.READ_ONLY ? role.label() + " users"
                        : role.label() + "s"))
                .orElse(groupId);
    }

    /** The account of an account's group ({@code account-7}, {@code account-7-manager} → 7). */
    public static Optional<Long> accountOf(String groupId) {
        Matcher matcher = ACCOUNT_OF_GROUP.matcher(groupId);
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    /** Whether this is the group of every user of an account ({@code account-7}, not {@code account-7-manager}). */
    public static boolean isAccountGroup(String groupId) {
        return EVERYONE_OF_ACCOUNT.matcher(groupId).matches();
    }

    private static final Pattern EVERYONE_OF_ACCOUNT = Pattern.compile("account-\\d+");

    /** Every user of an account belongs to this group. */
    public static String ofAccount(long accountId) {
        return "account-" + accountId;
    }
}
