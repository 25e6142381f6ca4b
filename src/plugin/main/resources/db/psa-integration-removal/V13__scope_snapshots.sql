-- A verified snapshot of a removal's confirmed scope, taken right before a hard delete writes anything: every row in
-- scope (attachment bytes included) as it was at one instant, written to the snapshot store, read back and checked
-- before the delete may start. It is a backup of its own removal only, kept for psa.backup.snapshot-retention and then
-- removed by the retention job, which records when and by what here.

alter table account_backup drop constraint account_backup_kind_check;
alter table account_backup add constraint account_backup_kind_check
    check (kind in ('PLATFORM_EXPORT', 'EXTERNAL_CONFIRMED', 'SCOPE_SNAPSHOT'));

alter table account_backup
    -- The round of the removal's confirmed scope that the snapshot holds.
    add column scope_round integer,
    -- When the stored snapshot was read back and found whole (entry checksums, rows per table against the scope).
    add column verified_at timestamptz,
    -- After this the retention job removes the snapshot.
    add column expires_at  timestamptz,
    -- When the snapshot was removed and by what (the retention job), the file gone.
    add column removed_at  timestamptz,
    add column removed_by  text,
    add check (kind <> 'SCOPE_SNAPSHOT'
               or (removal_id is not null and scope_round is not null and verified_at is not null
                   and expires_at is not null and sha256 is not null and location is not null)),
    add check ((removed_at is null) = (removed_by is null));

-- One verified snapshot per round of a removal's scope, whatever node or retry takes it.
create unique index account_backup_one_snapshot_per_round on account_backup (removal_id, scope_round)
    where kind = 'SCOPE_SNAPSHOT';
-- The retention job's look-up.
create index account_backup_snapshot_expiry_idx on account_backup (expires_at)
    where kind = 'SCOPE_SNAPSHOT' and removed_at is null;
