package io.psaremoval.test;

import java.time.Duration;

/**
 * The size and mix of one generated account.
 *
 * @param name                        account name, also the prefix of its users' names
 * @param psaProvider                 e.g. "ConnectWise Manage"
 * @param syncedOrganizations         organizations synced from the PSA
 * @param standaloneOrganizations     organizations that exist only in the platform
 * @param itemsPerOrganization        items in every organization, spread over the seven kinds
 * @param attachmentsPerOrganization  files per synced or stand-alone organization
 * @param attachmentBytes             size of every file
 * @param relatedItemsPerOrganization links between neighbouring items of one organization
 * @param rmmDevices                  devices reported by the account's RMM integration
 * @param bulkDeleteEnabled           whether bulk delete is switched on for the account
 * @param lastBackupAge               age of the newest account export, or null for none
 */
public record AccountShape(String name, String psaProvider, int syncedOrganizations, int standaloneOrganizations,
        int itemsPerOrganization, int attachmentsPerOrganization, int attachmentBytes,
        int relatedItemsPerOrganization, int rmmDevices, boolean bulkDeleteEnabled, Duration lastBackupAge) {

    /** A realistic small MSP: a few hundred customers, thousands of items. */
    public static AccountShape demo(String name, String psaProvider) {
        return new AccountShape(name, psaProvider, 300, 20, 12, 2, 2048, 4, 400, true, Duration.ofDays(9));
    }

    /** An account of about {@code items} items over {@code organizations} synced organizations. */
    public static AccountShape ofSize(String name, int organizations, long items) {
        int perOrganization = (int) Math.max(1, items / organizations);
        return new AccountShape(name, "ConnectWise Manage", organizations, Math.max(1, organizations / 20),
                perOrganization, 2, 256, Math.max(1, perOrganization / 10), Math.max(1, organizations / 2), true,
                Duration.ofHours(2));
    }

    public AccountShape withBulkDeleteEnabled(boolean enabled) {
        return new AccountShape(name, psaProvider, syncedOrganizations, standaloneOrganizations, itemsPerOrganization,
                attachmentsPerOrganization, attachmentBytes, relatedItemsPerOrganization, rmmDevices, enabled,
                lastBackupAge);
    }

    public AccountShape withLastBackupAge(Duration age) {
        return new AccountShape(name, psaProvider, syncedOrganizations, standaloneOrganizations, itemsPerOrganization,
                attachmentsPerOrganization, attachmentBytes, relatedItemsPerOrganization, rmmDevices,
                bulkDeleteEnabled, age);
    }
}
