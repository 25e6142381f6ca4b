-- The requester may withdraw a confirmed deletion while it waits for a second Administrator's approval: the approval of
-- that round is then decided as WITHDRAWN, by the requester, with their note, and the removal ends as cancelled with
-- nothing (more) deleted, in the same transaction (DeletionApprovals.withdraw).
--
--   CONFIRMED, approval undecided --the requester withdraws--> CANCELLED (approval WITHDRAWN)

alter table removal_approval drop constraint removal_approval_decision_check;
alter table removal_approval add constraint removal_approval_decision_check
    check (decision in ('APPROVED', 'REFUSED', 'WITHDRAWN'));
-- A refusal and a withdrawal say why, for the requester or the approvers and the auditors.
alter table removal_approval drop constraint removal_approval_check1;
alter table removal_approval add constraint removal_approval_note_check
    check (decision not in ('REFUSED', 'WITHDRAWN') or coalesce(btrim(note), '') <> '');
