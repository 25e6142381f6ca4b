package io.psaremoval.backup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param directory                where account exports are written
 * @param snapshotDirectory        where the default store keeps the verified snapshots of removals' scopes (a shared
 *                                 folder for a cluster)
 * @param snapshotRetention        how long a snapshot is kept before the retention job removes it
 * @param retentionCheckInterval   how often the retention job looks for snapshots past their retention
 * @param exportRetention          how long an account's export (it holds the account's passwords, documents and users)
 *                                 is kept before the retention job deletes it from its store
 */
@ConfigurationProperties("psa.backup")
public record BackupProperties(@DefaultValue(".data/backups") String directory,
        @DefaultValue(".data/snapshots") String snapshotDirectory,
        @DefaultValue("P30D") Duration snapshotRetention,
        @DefaultValue("PT1H") Duration retentionCheckInterval,
        @DefaultValue("P30D") Duration exportRetention) {
}
