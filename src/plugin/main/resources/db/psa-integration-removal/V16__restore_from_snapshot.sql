-- Restore deleted PSA data from a removal's verified snapshot (process RestoreDeletedPsaData): an Administrator of the
-- account chooses a snapshot, sees what it holds, confirms, and every row is recreated with its ids, in one
-- transaction; RMM devices still unmatched are matched again to their restored configurations, and their RMM
-- integrations are told.
--
--   REQUESTED --snapshot chosen--> CHOSEN --confirmed--> CONFIRMED --written--> RESTORED
--   (any open state) --> CANCELLED | EXPIRED | REFUSED | ABORTED

create table removal_restore (
    id                  bigint      generated always as identity primary key,
    process_instance_id text        not null unique,
    business_key        text        not null,
    account_id          bigint,
    requested_by        text        not null,
    reason              text,
    snapshot_id         bigint      references account_backup (id),
    -- The removal whose deletion the snapshot undoes.
    removal_id          bigint      references removal (id),
    status              text        not null default 'REQUESTED'
                                    check (status in ('REQUESTED', 'CHOSEN', 'CONFIRMED', 'RESTORED', 'CANCELLED',
                                                      'EXPIRED', 'REFUSED', 'ABORTED')),
    confirmed_by        text,
    confirmed_at        timestamptz,
    -- Rows recreated per table, e.g. {"organization": 12, "item": 168}.
    rows_restored       jsonb,
    devices_rematched   integer,
    outcome_reason      text,
    started_at          timestamptz not null default now(),
    ended_at            timestamptz,
    check ((status = 'RESTORED') = (rows_restored is not null))
);
create index removal_restore_account_idx on removal_restore (account_id, started_at desc);
create index removal_restore_removal_idx on removal_restore (removal_id);
create index removal_restore_snapshot_idx on removal_restore (snapshot_id);
-- A snapshot is restored at most once.
create unique index removal_restore_once_per_snapshot on removal_restore (snapshot_id) where status = 'RESTORED';

-- The RMM side is told of devices matched again, as it was told of devices unmatched: the same outbox, per removal
-- and RMM integration and event.
alter table rmm_unmatch_notice add column event text not null default 'devices-unmatched'
    check (event in ('devices-unmatched', 'devices-rematched'));
alter table rmm_unmatch_notice drop constraint rmm_unmatch_notice_removal_id_rmm_integration_id_key;
alter table rmm_unmatch_notice add unique (removal_id, rmm_integration_id, event);
