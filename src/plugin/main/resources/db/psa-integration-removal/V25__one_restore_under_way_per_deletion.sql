-- A removal's deletion is restored by one restore at a time: at most one restore of a removal has its snapshot chosen
-- or confirmed. (Two at once read and checked the same snapshot, the second waiting on the first's locks with its
-- connections held: enough of them stalled the engine for every account.) RestoreService.choose refuses a second one
-- in words; this index decides two choices made at the same moment.
--
-- Restores under way twice for one deletion before this version: the oldest goes on, the others end as aborted with
-- the reason (their next step finds them so and writes nothing; their process ends as refused).
update removal_restore r
set status = 'ABORTED', ended_at = now(),
    outcome_reason = 'Another restore of the same deletion was under way when the database was upgraded to one restore'
                     || ' of a deletion at a time: this one was ended, nothing restored. Start it again once the other has ended.'
where status in ('CHOSEN', 'CONFIRMED')
  and exists (select 1 from removal_restore o where o.removal_id = r.removal_id and o.id < r.id
                                                and o.status in ('CHOSEN', 'CONFIRMED'));
create unique index removal_restore_one_under_way_per_removal on removal_restore (removal_id)
    where status in ('CHOSEN', 'CONFIRMED');
