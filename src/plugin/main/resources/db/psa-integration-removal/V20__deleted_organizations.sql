-- What a hard delete deleted, organization by organization, and under which round of its scope: written by each chunk
-- in its own transaction, with the delete of the organizations themselves. A restore takes from each round's verified
-- snapshot exactly what was deleted under that round, and nothing else: so a delete that ran under several rounds of
-- its scope (the scope changed while it ran and was confirmed again), or that stopped part-way (refused, cancelled or
-- expired after chunks), can be restored, without bringing back what someone else deleted or changed since.
--
-- No foreign key to organization: the row records what is gone.
create table removal_deleted_organization (
    removal_id      bigint      not null references removal (id),
    organization_id bigint      not null,
    scope_round     integer     not null,
    deleted_at      timestamptz not null default now(),
    primary key (removal_id, organization_id),
    foreign key (removal_id, scope_round) references removal_scope_round (removal_id, round)
);
create index removal_deleted_organization_round_idx on removal_deleted_organization (removal_id, scope_round);

-- Deletes finished before this version with one snapshot, of the round they were confirmed under last, and as many
-- organizations counted deleted as that round held: every organization of the round was deleted under it (each chunk
-- compared its organizations with that round). Any other delete before this version (several rounds, stopped
-- part-way, or under way now: its chunks before this version recorded nothing) has no complete record, and a restore
-- refuses what is not on record whole (RestoreRepository: the record must add up to the removal's count).
insert into removal_deleted_organization (removal_id, organization_id, scope_round, deleted_at)
select r.id, s.organization_id, s.round, coalesce(r.ended_at, now())
from removal r
join account_backup b on b.removal_id = r.id and b.kind = 'SCOPE_SNAPSHOT' and b.scope_round = r.scope_round
join removal_scope s on s.removal_id = r.id and s.round = b.scope_round
where r.status = 'DELETED'
  and (select count(*) from account_backup x where x.removal_id = r.id and x.kind = 'SCOPE_SNAPSHOT') = 1
  and (select c.rows from removal_count c where c.removal_id = r.id and c.action = 'DELETED' and c.kind = 'ORGANIZATION')
      = (select count(*) from removal_scope x where x.removal_id = r.id and x.round = r.scope_round);

-- A removal's deletion is restored at most once, whichever of its snapshots the restore was chosen by.
create unique index removal_restore_once_per_removal on removal_restore (removal_id) where status = 'RESTORED';
