package io.psaremoval.removal;

import java.util.Map;

/**
 * What a removal of one PSA integration touches: the organizations synced from it and everything that
 * belongs to them, split into what the PSA can bring back (synced) and what only exists in the platform.
 *
 * @param organizations            organizations synced from the PSA
 * @param preExistingOrganizations of those, organizations that existed in the platform before the PSA
 *                                 linked them (IT Glue's "Happy Frog" case): a delete removes them too
 * @param items                    per item kind, synced and platform-only counts
 * @param attachments              files of those organizations and their items
 * @param relatedItems             links from or to their items, including links from other organizations
 * @param rmmDevices               RMM devices matched to their configurations, which a delete unmatches
 */
public record ImpactPreview(long organizations, long preExistingOrganizations, Map<String, KindCount> items,
        long attachments, long relatedItems, long rmmDevices) {

    public record KindCount(long psaSynced, long platformOnly) {
        public long total() {
            return psaSynced + platformOnly;
        }
    }

    public long psaSyncedItems() {
        return items.values().stream().mapToLong(KindCount::psaSynced).sum();
    }

    public long platformOnlyItems() {
        return items.values().stream().mapToLong(KindCount::platformOnly).sum();
    }
}
