-- The confirmed scope is a contract: what a removal writes is what the person confirmed, organization by organization.
--
-- At the preview the removal freezes its scope (round 1): per organization synced from the PSA, what a delete of it
-- would remove and what a disconnect of it would write, each as a row count and an order-free fingerprint (the sum of
-- a 64-bit hash of every row, contents included). Right before the first write the whole scope is compared with the
-- frozen one, and every chunk compares its organizations again, locked, in its own transaction. When anything was
-- added or changed, nothing of it is written: the removal moves to SCOPE_CHANGED, the scope as it is now is frozen as
-- the next round with the difference in words, and the person confirms again (the round becomes the confirmed one) or
-- cancels.
--
--   CONFIRMED | RUNNING (delete)   --scope changed--> SCOPE_CHANGED --confirmed again--> CONFIRMED
--   PENDING   | RUNNING (disconnect)                                 --confirmed again--> PENDING

-- A row's hash: the first 64 bits of the MD5 of its text. Used for change detection, not for secrecy.
create function psa_row_hash(row_text text) returns bigint
    language sql immutable strict parallel safe
    as $$ select ('x' || substr(md5(row_text), 1, 16))::bit(64)::bigint $$;

create table removal_scope_round (
    removal_id          bigint      not null references removal (id),
    round               integer     not null check (round >= 1),
    organizations       bigint      not null,
    -- md5 over (organization, rows, fingerprint) in organization order: one value to compare and to show.
    delete_checksum     text        not null,
    disconnect_checksum text        not null,
    frozen_at           timestamptz not null default now(),
    -- What changed since the round before, in words (null for the preview's round).
    difference          text,
    confirmed_by        text,
    confirmed_at        timestamptz,
    primary key (removal_id, round)
);

-- No foreign key to organization: the removal deletes or disconnects them; the frozen scope outlives them.
create table removal_scope (
    removal_id             bigint  not null,
    round                  integer not null,
    organization_id        bigint  not null,
    delete_rows            bigint  not null,
    delete_fingerprint     numeric not null,
    disconnect_rows        bigint  not null,
    disconnect_fingerprint numeric not null,
    primary key (removal_id, round, organization_id),
    foreign key (removal_id, round) references removal_scope_round (removal_id, round)
);

-- What each round's scope holds, kind by kind, as the preview counts it (what the person is shown to confirm).
create table removal_scope_kind (
    removal_id    bigint  not null,
    round         integer not null,
    kind          text    not null,
    psa_synced    bigint  not null,
    platform_only bigint  not null,
    primary key (removal_id, round, kind),
    foreign key (removal_id, round) references removal_scope_round (removal_id, round)
);

alter table removal add column scope_round integer;
alter table removal add foreign key (id, scope_round) references removal_scope_round (removal_id, round);

alter table removal drop constraint removal_status_check;
alter table removal add constraint removal_status_check
    check (status in ('REQUESTED', 'PENDING', 'CONFIRMED', 'RUNNING', 'SCOPE_CHANGED', 'DISCONNECTED', 'DELETED',
                      'CANCELLED', 'EXPIRED', 'NOT_PERMITTED', 'UNAVAILABLE', 'NOTHING_TO_REMOVE', 'REFUSED', 'ABORTED'));

drop index removal_one_open_per_integration;
create unique index removal_one_open_per_integration on removal (integration_id)
    where status in ('PENDING', 'CONFIRMED', 'RUNNING', 'SCOPE_CHANGED');
