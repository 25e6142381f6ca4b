package io.psaremoval.backup;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param directory where account exports are written */
@ConfigurationProperties("psa.backup")
public record BackupProperties(@DefaultValue(".data/backups") String directory) {
}
