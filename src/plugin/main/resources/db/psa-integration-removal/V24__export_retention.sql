-- Account exports are removed after psa.backup.export-retention: the retention job finds them by their age.
create index account_backup_export_age_idx on account_backup (completed_at)
    where kind = 'PLATFORM_EXPORT' and removed_at is null and location is not null;
