package io.psaremoval.test;

import java.time.Duration;

/** What {@link PlatformDataGenerator} made for one account, and how long it took. */
public record GeneratedAccount(long accountId, long psaIntegrationId, long rmmIntegrationId, long organizations,
        long items, long attachments, long relatedItems, long rmmDevices, Duration elapsed) {

    public long rows() {
        return organizations + items + attachments + relatedItems + rmmDevices;
    }
}
