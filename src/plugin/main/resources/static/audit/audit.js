// The auditors' page: lists removals from /api/audit/removals and shows one removal's timeline.
'use strict';

const number = new Intl.NumberFormat('en');
const when = value => value ? new Date(value).toISOString().replace('T', ' ').substring(0, 19) : '';

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) td.className = className;
  return td;
}

function badge(td, status) {
  td.textContent = '';
  const span = document.createElement('span');
  span.className = 'status status-' + status;
  span.textContent = status.replace(/_/g, ' ').toLowerCase();
  td.appendChild(span);
}

// Signed in by a server session: the sign-in form sends the password once, the server keeps who signed in, the browser
// keeps only its session cookie (HttpOnly: not readable here). Nothing of the password stays in the page or storage.
let signedIn = false;

async function fetchApi(url, accept) {
  const response = await fetch(url, {headers: {Accept: accept}, credentials: 'same-origin'});
  if (response.status === 401) {
    showSignIn(signedIn ? 'Your session ended: sign in again.' : '');
    signedIn = false;
    throw new Error('401 sign-in required');
  }
  if (!response.ok) throw new Error(response.status + (response.status === 403 ? ' only auditors and an account\'s Administrators may read this'
      : response.status === 404 ? ' no such removal among those you may read' : ''));
  signedIn = true;
  return response;
}

async function getJson(url) {
  return (await fetchApi(url, 'application/json')).json();
}

function showSignIn(message) {
  document.getElementById('sign-in').hidden = false;
  document.getElementById('removals').hidden = true;
  document.getElementById('detail').hidden = true;
  document.getElementById('sign-in-error').textContent = message || '';
}

document.getElementById('sign-in').addEventListener('submit', async event => {
  event.preventDefault();
  const password = document.getElementById('password');
  const response = await fetch('../api/audit/session', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify({username: document.getElementById('username').value, password: password.value})});
  password.value = '';
  if (response.status !== 204) {
    showSignIn(response.status === 401 ? 'Wrong user name or password.' : 'Cannot sign in: ' + response.status);
    return;
  }
  signedIn = true;
  document.getElementById('sign-in').hidden = true;
  loadRemovals();
});

document.getElementById('sign-out').addEventListener('click', async event => {
  event.preventDefault();
  await fetch('../api/audit/session', {method: 'DELETE', credentials: 'same-origin'});
  signedIn = false;
  showSignIn('Signed out.');
});

document.getElementById('csv').addEventListener('click', async event => {
  event.preventDefault();
  const blob = await (await fetchApi('../api/audit/removals.csv', 'text/csv')).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'removals.csv';
  link.click();
  URL.revokeObjectURL(link.href);
});

// The list is read a page at a time, newest first.
const PAGE_SIZE = 50;
let page = 0;

document.getElementById('newer').addEventListener('click', () => { page = Math.max(0, page - 1); loadRemovals(); });
document.getElementById('older').addEventListener('click', () => { page++; loadRemovals(); });

async function loadRemovals() {
  const body = document.querySelector('#removals tbody');
  document.getElementById('removals').hidden = false;
  try {
    const response = await fetchApi('../api/audit/removals?page=' + page + '&size=' + PAGE_SIZE, 'application/json');
    const removals = await response.json();
    const total = Number(response.headers.get('X-Total-Count') || removals.length);
    document.getElementById('pages').hidden = total <= PAGE_SIZE;
    document.getElementById('page-info').textContent = total === 0 ? '' : 'Removals ' + number.format(page * PAGE_SIZE + 1)
        + ' to ' + number.format(page * PAGE_SIZE + removals.length) + ' of ' + number.format(total);
    document.getElementById('newer').disabled = page === 0;
    document.getElementById('older').disabled = (page + 1) * PAGE_SIZE >= total;
    body.textContent = '';
    if (removals.length === 0) {
      cell(body.insertRow(), 'No removal yet.').colSpan = 10;
    }
    for (const r of removals) {
      const row = body.insertRow();
      row.dataset.id = r.id;
      cell(row, r.businessKey);
      cell(row, r.accountName);
      cell(row, r.integrationName);
      cell(row, r.requestedBy + ' (' + (r.requesterRole || '').toLowerCase() + ')');
      cell(row, r.mode ? r.mode.toLowerCase() : '');
      badge(cell(row, ''), r.status);
      cell(row, when(r.startedAt));
      cell(row, when(r.endedAt));
      cell(row, number.format(r.rowsDeleted), 'n');
      cell(row, number.format(r.rowsDisconnected), 'n');
      row.addEventListener('click', () => showRemoval(r.id, row));
    }
    showLinkedRemoval();
  } catch (error) {
    body.textContent = '';
    cell(body.insertRow(), 'Cannot load removals: ' + error.message).colSpan = 10;
  }
}

// Each removal's detail has an address of its own (#removal-<id>): it can be bookmarked, shared and reopened.
function showLinkedRemoval() {
  const linked = /^#removal-(\d+)$/.exec(location.hash);
  if (linked) {
    showRemoval(Number(linked[1]), document.querySelector('#removals tr[data-id="' + linked[1] + '"]'))
        .catch(error => {
          document.getElementById('detail').hidden = false;
          document.getElementById('detail-title').textContent = 'Cannot show removal ' + linked[1] + ': ' + error.message;
          document.getElementById('detail-summary').textContent = '';
          document.getElementById('progress-section').hidden = true;
          ['#rows tbody', '#preview tbody', '#scope tbody', '#approvals tbody', '#restores tbody', '#timeline tbody'].forEach(body => document.querySelector(body).textContent = '');
        });
  }
}

window.addEventListener('hashchange', () => {
  if (signedIn) showLinkedRemoval();
});

async function showRemoval(id, row) {
  document.querySelectorAll('#removals tr.selected').forEach(r => r.classList.remove('selected'));
  if (row) row.classList.add('selected');
  if (location.hash !== '#removal-' + id) history.replaceState(null, '', '#removal-' + id);
  const audit = await getJson('../api/audit/removals/' + id);
  const r = audit.removal;
  document.getElementById('detail').hidden = false;
  document.getElementById('detail-title').textContent = r.businessKey + ' · ' + (r.integrationName || 'no integration')
      + ' · ' + r.status.replace(/_/g, ' ').toLowerCase();
  document.getElementById('detail-summary').textContent = 'Requested by ' + r.requestedBy + ' (' + r.requesterRole
      + ') of ' + (r.accountName || 'no account') + ' on ' + when(r.startedAt)
      + (r.confirmedBy ? '; deletion confirmed by ' + r.confirmedBy : '')
      + '; RMM devices unmatched: ' + number.format(r.rmmDevicesUnmatched)
      + (r.chunksDone ? '; ' + number.format(r.chunksDone) + ' chunks committed, the longest in '
          + number.format(r.longestChunkMs) + ' ms' : '') + '.';

  const rows = document.querySelector('#rows tbody');
  rows.textContent = '';
  for (const [action, kinds] of Object.entries(audit.rowsByActionAndKind)) {
    for (const [kind, count] of Object.entries(kinds)) {
      const tr = rows.insertRow();
      cell(tr, action.toLowerCase());
      cell(tr, kind.replace(/_/g, ' ').toLowerCase());
      cell(tr, number.format(count), 'n');
    }
  }
  document.getElementById('progress-section').hidden = !audit.progress;
  document.getElementById('progress').textContent = audit.progress || '';
  // The preview in the words and columns the person saw, with what the chosen mode was to remove and what it did.
  const preview = document.querySelector('#preview tbody');
  preview.textContent = '';
  if (audit.reconciliation.length === 0) {
    cell(preview.insertRow(), 'No preview was confirmed: the removal ended before a choice.').colSpan = 6;
  }
  for (const line of audit.reconciliation) {
    const tr = preview.insertRow();
    cell(tr, line.kind);
    cell(tr, number.format(line.fromThePsa), 'n');
    cell(tr, number.format(line.onlyInThePlatform), 'n');
    cell(tr, number.format(line.confirmed), 'n');
    cell(tr, number.format(line.written), 'n');
    cell(tr, line.difference === 0 ? '' : (line.difference > 0 ? '+' : '') + number.format(line.difference),
        line.difference === 0 ? 'n' : 'n kind-refused');
  }
  // The scope frozen at the preview and at every change a write step found; the last one confirmed is the contract.
  const scope = document.querySelector('#scope tbody');
  scope.textContent = '';
  if (audit.scope.length === 0) {
    cell(scope.insertRow(), 'No scope was frozen: the removal ended before its preview.').colSpan = 7;
  }
  for (const round of audit.scope) {
    const tr = scope.insertRow();
    cell(tr, round.round === 1 ? '1 (the preview)' : String(round.round), 'n');
    cell(tr, when(round.frozenAt));
    cell(tr, number.format(round.organizations), 'n');
    // What a hard delete deleted under the round: what a restore takes back from that round's snapshot.
    cell(tr, audit.removal.mode === 'DELETE' ? number.format(round.organizationsDeleted) : '', 'n');
    cell(tr, round.checksum, 'checksum');
    cell(tr, round.difference ? round.difference.replace(/^###[^\n]*\n+/, '').replace(/\\(.)/g, '$1') : '');
    cell(tr, round.confirmedBy ? round.confirmedBy + ' on ' + when(round.confirmedAt)
        : (round.round === 1 ? 'by choosing the mode' : 'not confirmed'));
  }
  // Each round a second Administrator was asked to approve: why, and who approved or refused it when.
  const approvals = document.querySelector('#approvals tbody');
  approvals.textContent = '';
  if (audit.approvals.length === 0) {
    cell(approvals.insertRow(), 'No second approval was needed.').colSpan = 7;
  }
  for (const approval of audit.approvals) {
    const tr = approvals.insertRow();
    cell(tr, String(approval.round), 'n');
    cell(tr, when(approval.requestedAt));
    cell(tr, approval.requiredBecause);
    cell(tr, approval.decision ? approval.decision.toLowerCase() : (r.endedAt ? 'not decided' : 'waiting'),
        approval.decision === 'REFUSED' ? 'kind-refused' : '');
    cell(tr, approval.decidedBy || '');
    cell(tr, approval.decidedAt ? when(approval.decidedAt) : '');
    cell(tr, approval.note || '');
  }
  // Each restore of the removal's verified snapshot: who asked and confirmed it, what it recreated or why it was refused.
  const restores = document.querySelector('#restores tbody');
  restores.textContent = '';
  if (audit.restores.length === 0) {
    cell(restores.insertRow(), 'Nothing of it was restored.').colSpan = 6;
  }
  for (const restore of audit.restores) {
    const tr = restores.insertRow();
    cell(tr, restore.businessKey + ' (snapshot ' + restore.snapshotId + ')');
    cell(tr, restore.requestedBy + (restore.reason ? ': ' + restore.reason : ''));
    cell(tr, restore.status.toLowerCase(), restore.status === 'REFUSED' ? 'kind-refused' : '');
    cell(tr, restore.confirmedBy || '');
    cell(tr, restore.endedAt ? when(restore.endedAt) : '');
    cell(tr, restore.status === 'RESTORED' ? restore.rowsRestored + '; ' + restore.devicesRematched
        + ' RMM devices matched again' : (restore.outcomeReason || ''));
  }
  const timeline = document.querySelector('#timeline tbody');
  timeline.textContent = '';
  for (const e of audit.timeline) {
    const tr = timeline.insertRow();
    cell(tr, when(e.at));
    cell(tr, e.kind, 'kind-' + e.kind);
    cell(tr, e.step);
    cell(tr, e.who);
    cell(tr, e.what);
  }
}

// A session of this browser that is still valid opens the list at once; otherwise the API's 401 shows the sign-in.
loadRemovals();
