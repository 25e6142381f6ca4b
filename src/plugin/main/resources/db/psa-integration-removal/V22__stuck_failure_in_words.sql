-- A stopped removal's failure in words, apart from its cause: the requester's task shows the words, the operators read
-- the cause too (failure). The audit shows an account's auditors and Administrators the words only, never the
-- database's own message (host names, statements); stops recorded before this version have no words on record and
-- show that the cause is for the operators.
-- The column is added in the catalogue only (no default, no rewrite), yet it takes the table's exclusive lock, which
-- every job's transaction would queue behind: give up after 5 s rather than stall the nodes (the next start tries again).
set local lock_timeout = '5s';
alter table removal_stuck_notice add column failure_in_words text;
comment on column removal_stuck_notice.failure_in_words is
    'The failure as the requester reads it (FailureInWords.plain); failure holds the words and the cause, for operators';
