-- A cooling-off period before a hard delete purges anything (AWS KMS waits 7 to 30 days before it deletes a key,
-- Google Cloud keeps a shut-down project 30 days). The confirmed scope is first moved out of sight: its organizations
-- are listed in pending_deletion, which takes them, their items and everything hanging on them out of the listings
-- (the listed_* views), keeps RMM devices from being matched to them, and keeps their rows exactly as they are. The
-- removal then waits until purge_after; during the wait an Administrator of the account can cancel, and everything is
-- back in sight as it was (nothing of it was written). When the wait is over, the delete purges in chunks as before,
-- after comparing the scope with the confirmed one again.
--
--   CONFIRMED --moved out of sight--> PENDING_DELETION --purge due, first chunk--> RUNNING --> DELETED
--                                     PENDING_DELETION --an Administrator cancels--> CANCELLED (rows back in sight)
--                                     PENDING_DELETION --scope changed--> SCOPE_CHANGED --confirmed again--> CONFIRMED
--   Every end of a removal (cancelled, refused, aborted, expired...) puts what it had moved out of sight back.

-- The account's cooling-off period; null: the host's psa.removal.cooling-off-period.
alter table removal_policy add column cooling_off interval check (cooling_off >= interval '0');
alter table removal_policy alter column deletion_approval_required set default false;

alter table removal
    -- The cooling-off the deletion was confirmed under (the account's or the host's period then); zero: purged at once.
    add column cooling_off      interval check (cooling_off >= interval '0'),
    add column moved_out_at     timestamptz,
    -- Not before this may the purge start (the database's clock decides, whatever the process is made to do).
    add column purge_after      timestamptz,
    add column cancelled_by     text,
    add column cancelled_at     timestamptz,
    add column cancel_note      text,
    add column purge_started_at timestamptz,
    add check ((cancelled_by is null) = (cancelled_at is null)),
    add check (cancelled_by is null or coalesce(btrim(cancel_note), '') <> '');

alter table removal drop constraint removal_status_check;
alter table removal add constraint removal_status_check
    check (status in ('REQUESTED', 'PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING', 'SCOPE_CHANGED',
                      'DISCONNECTED', 'DELETED', 'CANCELLED', 'EXPIRED', 'NOT_PERMITTED', 'UNAVAILABLE',
                      'NOTHING_TO_REMOVE', 'REFUSED', 'ABORTED', 'NOT_APPROVED'));
alter table removal add check (status <> 'PENDING_DELETION' or (purge_after is not null and moved_out_at is not null));

drop index removal_one_open_per_integration;
create unique index removal_one_open_per_integration on removal (integration_id)
    where status in ('PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING', 'SCOPE_CHANGED');

-- The organizations out of sight, waiting for their purge. A row of the platform's data itself (not an audit record):
-- it goes with its organization.
create table pending_deletion (
    organization_id bigint      primary key references organization (id) on delete cascade,
    account_id      bigint      not null,
    removal_id      bigint      not null references removal (id),
    hidden_at       timestamptz not null default now()
);
create index pending_deletion_removal_idx on pending_deletion (removal_id);

-- What the platform lists: everything but what waits for its purge. A host lists organizations and items through these.
create view listed_organization as
    select o.* from organization o
    where not exists (select 1 from pending_deletion p where p.organization_id = o.id);
create view listed_item as
    select i.* from item i
    where not exists (select 1 from pending_deletion p where p.organization_id = i.organization_id);

-- Nothing is matched to a configuration waiting for its purge, whoever writes the match (the RMM sync, a restore).
create function refuse_match_to_pending_deletion() returns trigger language plpgsql as $$
begin
    if exists (select 1 from item i join pending_deletion p on p.organization_id = i.organization_id
               where i.id = new.matched_configuration_id) then
        raise exception 'configuration % is pending deletion: no RMM device can be matched to it',
            new.matched_configuration_id using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger rmm_device_not_matched_to_pending_deletion
    before insert or update of matched_configuration_id on rmm_device
    for each row when (new.matched_configuration_id is not null)
    execute function refuse_match_to_pending_deletion();

-- Shortening an account's cooling-off period takes two Administrators, as switching four eyes off does: the first one's
-- request waits until another one asks for the same period. Lengthening it is at once.
alter table removal_policy
    add column cooling_off_requested    interval check (cooling_off_requested >= interval '0'),
    add column cooling_off_requested_by text,
    add column cooling_off_requested_at timestamptz,
    add check ((cooling_off_requested is null) = (cooling_off_requested_by is null)
               and (cooling_off_requested_by is null) = (cooling_off_requested_at is null));
