-- The removal process's own records, one row per process instance from its first step on. Delegates
-- and validators read the requester, account and integration from here, never from process variables,
-- which a caller can overwrite. Process variables hold only ids, counts and decisions; what an auditor
-- needs to trust the numbers (what was requested, by whom, what it did, row by row counted) is here.

create table removal (
    id                          bigint generated always as identity primary key,
    process_instance_id         text        not null unique,
    business_key                text        not null unique,
    requested_by                text        not null,
    requester_role              text        not null,
    account_id                  bigint references account (id),
    reason                      text,
    integration_id              bigint,
    integration_name            text,
    previous_integration_status text,
    mode                        text check (mode in ('DISCONNECT', 'DELETE')),
    status                      text        not null default 'REQUESTED'
                                check (status in ('REQUESTED', 'PENDING', 'RUNNING', 'DISCONNECTED', 'DELETED',
                                                  'CANCELLED', 'EXPIRED', 'NOT_PERMITTED', 'UNAVAILABLE',
                                                  'NOTHING_TO_REMOVE')),
    confirmed_by                text,
    confirmed_at                timestamptz,
    started_at                  timestamptz not null default now(),
    ended_at                    timestamptz,
    foreign key (integration_id, account_id) references integration (id, account_id),
    check ((integration_id is null) = (integration_name is null)
       and (integration_id is null) = (previous_integration_status is null))
);
-- One open removal at a time per integration, whatever node or user asks: the database decides.
create unique index removal_one_open_per_integration on removal (integration_id)
    where status in ('PENDING', 'RUNNING');
create index removal_account_idx on removal (account_id);
create index removal_integration_idx on removal (integration_id, account_id);

-- The impact preview the user saw before choosing, kind by kind.
create table removal_preview (
    removal_id    bigint not null references removal (id),
    kind          text   not null,
    psa_synced    bigint not null,
    platform_only bigint not null,
    primary key (removal_id, kind)
);

-- Rows written by the removal, per kind; incremented in the same transaction as the write itself,
-- so a retried or resumed step never counts a row twice.
create table removal_count (
    removal_id bigint not null references removal (id),
    action     text   not null check (action in ('DISCONNECTED', 'DELETED', 'UNMATCHED')),
    kind       text   not null,
    rows       bigint not null default 0,
    primary key (removal_id, action, kind)
);

-- RMM devices that lost their match because their configuration was deleted.
create table removal_unmatched_device (
    removal_id               bigint      not null references removal (id),
    rmm_device_id            bigint      not null,
    rmm_integration_id       bigint      not null,
    external_id              text        not null,
    hostname                 text        not null,
    former_configuration_id  bigint      not null,
    unmatched_at             timestamptz not null default now(),
    primary key (removal_id, rmm_device_id)
);
create index removal_unmatched_device_device_idx on removal_unmatched_device (rmm_device_id);

-- Notices sent to an RMM integration about devices that became unmatched: at most one per removal
-- and RMM integration, however often the step runs.
create table rmm_unmatch_notice (
    id                 bigint generated always as identity primary key,
    removal_id         bigint      not null references removal (id),
    rmm_integration_id bigint      not null references integration (id),
    device_count       integer     not null,
    payload            text        not null,
    sent_at            timestamptz not null default now(),
    unique (removal_id, rmm_integration_id)
);
create index rmm_unmatch_notice_integration_idx on rmm_unmatch_notice (rmm_integration_id);

-- Who confirmed a backup and when (kept with the backup itself in account_backup), linked to the removal.
alter table account_backup add column removal_id bigint references removal (id);
create index account_backup_removal_idx on account_backup (removal_id);

-- Changes of the bulk delete feature flag, with who made them.
create table account_feature_change (
    id          bigint generated always as identity primary key,
    account_id  bigint      not null references account (id),
    feature     text        not null,
    enabled     boolean     not null,
    changed_by  text        not null,
    changed_at  timestamptz not null default now(),
    note        text,
    removal_id  bigint references removal (id)
);
create index account_feature_change_account_idx on account_feature_change (account_id);
create index account_feature_change_removal_idx on account_feature_change (removal_id);
