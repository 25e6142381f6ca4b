-- Four eyes: a hard delete approved by a second Administrator of the account, never the person who asked for it or
-- confirmed it. Required when the account's removal policy says so (as it was when the deletion was confirmed: the
-- removal keeps it) or when the confirmed scope is larger than psa.removal.approval-above-organizations / -items.
--
--   CONFIRMED --approval required--> (a row below, undecided) --approved--> the delete may start
--                                                             --refused---> NOT_APPROVED (nothing deleted)

-- An account's own rules for removing its PSA integrations, set by its Administrators. No foreign key to the
-- platform's account table: the plugin's records stand alone (V7). Switching four eyes off takes two Administrators:
-- the first one's request waits (off_requested_by) until a second one confirms it.
create table removal_policy (
    account_id                 bigint      primary key,
    deletion_approval_required boolean     not null,
    changed_by                 text        not null,
    changed_at                 timestamptz not null default now(),
    off_requested_by           text,
    off_requested_at           timestamptz,
    check ((off_requested_by is null) = (off_requested_at is null)),
    check (off_requested_by is null or deletion_approval_required)
);

-- Once the account's policy asked for a second approval at a confirmation of the deletion, the removal keeps asking.
alter table removal add column approval_required_by_policy boolean not null default false;
-- Removals recorded before this version (possibly deleting right now) follow the rules they were confirmed under;
-- every removal recorded from now on needs the approval where the rules ask for it.
alter table removal add column four_eyes boolean not null default false;
alter table removal alter column four_eyes set default true;

-- One approval per round of the scope that needed one: asked for when the deletion (or its changed scope) was
-- confirmed, decided by a second Administrator.
create table removal_approval (
    removal_id       bigint      not null references removal (id),
    round            integer     not null,
    required_because text        not null,
    requested_at     timestamptz not null default now(),
    decision         text        check (decision in ('APPROVED', 'REFUSED')),
    decided_by       text,
    decided_at       timestamptz,
    note             text,
    primary key (removal_id, round),
    foreign key (removal_id, round) references removal_scope_round (removal_id, round),
    check ((decision is null) = (decided_by is null) and (decision is null) = (decided_at is null)),
    check (decision is distinct from 'REFUSED' or coalesce(btrim(note), '') <> '')
);

alter table removal drop constraint removal_status_check;
alter table removal add constraint removal_status_check
    check (status in ('REQUESTED', 'PENDING', 'CONFIRMED', 'RUNNING', 'SCOPE_CHANGED', 'DISCONNECTED', 'DELETED',
                      'CANCELLED', 'EXPIRED', 'NOT_PERMITTED', 'UNAVAILABLE', 'NOTHING_TO_REMOVE', 'REFUSED', 'ABORTED',
                      'NOT_APPROVED'));
