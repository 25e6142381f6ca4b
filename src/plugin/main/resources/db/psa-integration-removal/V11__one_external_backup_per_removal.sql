-- A removal relies on at most one backup confirmed elsewhere; a later statement (the first one was too old by the
-- time it was checked) replaces it, in one statement also when two runs of the step meet.
create unique index account_backup_external_per_removal on account_backup (removal_id)
    where kind = 'EXTERNAL_CONFIRMED';
