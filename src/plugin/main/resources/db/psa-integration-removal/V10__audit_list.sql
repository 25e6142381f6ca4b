-- The auditors' list of removals: newest first, of every account or of one, a page at a time (and the CSV export,
-- which walks the same order in batches). The composite index replaces the account index of V2.
create index removal_started_idx on removal (started_at desc, id desc);
create index removal_account_started_idx on removal (account_id, started_at desc, id desc);
drop index removal_account_idx;
