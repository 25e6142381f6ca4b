-- A removal's deletion is restored by one restore at a time: at most one restore of a removal has its snapshot chosen
-- or confirmed. (Two at once read and checked the same snapshot, the second waiting on the first's locks with its
-- connections held: enough of them stalled the engine for every account.) RestoreService.choose refuses a second one
-- in words; this index decides two choices made at the same moment.
do $$
declare
    open_twice text;
begin
    select string_agg(business_key, ', ') into open_twice
    from removal_restore r
    where status in ('CHOSEN', 'CONFIRMED')
      and exists (select 1 from removal_restore o where o.removal_id = r.removal_id and o.id <> r.id
                                                    and o.status in ('CHOSEN', 'CONFIRMED'));
    if open_twice is not null then
        raise exception 'Restores % are under way for the same deletion: cancel all but one (Cockpit), then start again', open_twice;
    end if;
end $$;
create unique index removal_restore_one_under_way_per_removal on removal_restore (removal_id)
    where status in ('CHOSEN', 'CONFIRMED');
