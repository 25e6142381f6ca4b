-- The removal's own records (the removal, its preview and counts, unmatched devices, RMM notices, endpoints and
-- deliveries, security events, the backups it recorded, the feature changes it made) keep the ids of the platform's
-- accounts and integrations, but no longer declare foreign keys to the platform tables. A host that keeps its platform elsewhere and replaces the adapters
-- (PlatformUsers, Accounts, Integrations, PlatformData, BackupStore) gets working removal records; the rules that
-- matter (same account, integration present, backup recent) are checked by the services from the data itself in
-- each write step. Foreign keys between the removal's own tables stay.
do $$
declare
    constraint_row record;
begin
    for constraint_row in
        select c.conname, c.conrelid::regclass as owner
        from pg_constraint c
        where c.contype = 'f'
          and c.connamespace = current_schema()::regnamespace
          and c.conrelid::regclass::text in ('removal', 'removal_preview', 'removal_count', 'removal_unmatched_device',
                                             'rmm_unmatch_notice', 'rmm_endpoint', 'rmm_notice_delivery',
                                             'security_event', 'account_backup', 'account_feature_change')
          and c.confrelid::regclass::text in ('account', 'platform_user', 'integration',
                                              'organization', 'item', 'attachment', 'related_item', 'rmm_device')
    loop
        execute format('alter table %s drop constraint %I', constraint_row.owner, constraint_row.conname);
    end loop;
end
$$;
