-- How a chunked disconnect or delete went: chunks committed and the longest chunk transaction, written in
-- each chunk's own transaction (with its counts), so that a chunk rolled back by a crash is not counted.
alter table removal
    add column chunks_done      integer not null default 0,
    add column longest_chunk_ms integer;
