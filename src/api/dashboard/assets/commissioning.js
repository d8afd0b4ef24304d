/* global document, window, sessionStorage, fetch */
// Switchyard dashboard, commissioning section: the window, chargers waiting for approval,
// stations added by commissioning, refused connections, and commissioning sheets.
// Reads GET /api/commissioning (refreshed on live snapshots, at most every REFRESH_MS, and after
// each write); writes with the API token as the site-limit form does (kept for the tab).

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'switchyard.apiToken';
const REFRESH_MS = 2000;
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

/** Rotations a placement offers: grid phase of each EVSE phase. */
const ROTATIONS = { 3: [['L1', 'L2', 'L3'], ['L2', 'L3', 'L1'], ['L3', 'L1', 'L2']], 1: [['L1'], ['L2'], ['L3']] };

const state = {
  /** Hub clock minus browser clock, ms (from the snapshots), so the remaining time is the hub's. */
  offsetMs: 0,
  offsets: [],
  circuits: [], // [{ id, depth }]
  standalone: true,
  data: undefined, // the last GET /api/commissioning
  lastFetchMs: 0,
  fetching: false,
  /** Station ids whose placement form is open (kept across refreshes). */
  placing: new Set(),
  /** What the pending table shows now (skips re-rendering the same). */
  pendingKey: undefined,
  /** Station id whose remove button waits for a second click. */
  confirmRemove: undefined,
};

// ---- reading ------------------------------------------------------------------------------
async function refresh() {
  if (state.fetching) return;
  state.fetching = true;
  state.lastFetchMs = Date.now();
  try {
    const res = await fetch('/api/commissioning');
    if (res.ok) {
      state.data = await res.json();
      render();
    }
  } catch {
    // The live pill already says the hub is away; the last state stays on the page.
  } finally {
    state.fetching = false;
  }
}

/** Hook for app.js: every live snapshot (hub time, circuits, upstream mode). */
export function onSnapshot(s) {
  if (typeof s.nowMs === 'number') {
    // Each sample is late by its delivery time, so the largest recent one is the best estimate.
    state.offsets.push(s.nowMs - Date.now());
    if (state.offsets.length > 10) state.offsets.shift();
    state.offsetMs = Math.max(...state.offsets);
  }
  if (Array.isArray(s.circuits)) {
    const circuits = s.circuits.filter((c) => !c.implicit).map((c) => ({ id: c.id, depth: c.depth ?? 0 }));
    if (circuits.map((c) => c.id).join() !== state.circuits.map((c) => c.id).join()) state.circuits = circuits;
  }
  const standalone = (s.upstream ?? 'none') === 'none';
  if (standalone !== state.standalone) {
    state.standalone = standalone;
    $('cm-not-standalone').hidden = standalone;
    $('cm-body').hidden = !standalone;
  }
  if (Date.now() - state.lastFetchMs >= REFRESH_MS) void refresh();
}

// ---- writing ------------------------------------------------------------------------------
/** Sends a write with the API token; resolves with the parsed body, or undefined after showing why it failed. */
async function write(method, url, body, done) {
  const status = $('cm-status');
  const typed = $('cm-token').value.trim();
  if (typed) sessionStorage.setItem(TOKEN_KEY, typed);
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  status.className = 'small';
  status.textContent = 'working…';
  let res;
  try {
    res = await fetch(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  } catch {
    status.className = 'small error';
    status.textContent = 'The hub did not answer.';
    return undefined;
  }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('cm-token-row').hidden = false;
    $('cm-token').value = '';
    $('cm-token').focus();
    status.className = 'small error';
    status.textContent = token ? 'That token was refused: enter the API token again.' : 'This hub needs its API token (from the site config) for commissioning.';
    return undefined;
  }
  const json = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) {
    status.className = 'small error';
    status.textContent = json.error ? `${json.error.code}: ${json.error.message}` : `failed (${res.status})`;
    return undefined;
  }
  $('cm-token-row').hidden = true;
  $('cm-token').value = '';
  status.className = 'small ok';
  status.textContent = done;
  void refresh();
  return json;
}

// ---- window -------------------------------------------------------------------------------
function renderWindow() {
  const w = state.data?.window;
  const el = $('cm-window');
  // Never more than the window's length (the clock offset is an estimate).
  const left = w ? Math.min(w.untilMs - w.openedMs, Math.max(0, w.untilMs - (Date.now() + state.offsetMs))) : 0;
  if (!w || left <= 0) {
    el.className = 'cm-window closed';
    el.innerHTML = 'Closed: unknown chargers are refused (and listed below).';
    $('cm-close').disabled = true;
    $('cm-open').textContent = 'Open window';
    return;
  }
  const s = Math.ceil(left / 1000);
  const mmss = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  el.className = 'cm-window open';
  el.innerHTML = `Open: <strong id="cm-remaining" data-remaining-s="${s}">${mmss}</strong> left (until ${esc(clock(w.untilMs))}) · ${esc(w.admitted)} new charger${w.admitted === 1 ? '' : 's'} admitted`;
  $('cm-close').disabled = false;
  $('cm-open').textContent = 'Restart window';
}

// ---- pending ------------------------------------------------------------------------------
/** The EVSE ids a pending charger reported, with its connectors per EVSE; one EVSE when it reported none. */
function evsesOf(p) {
  const byEvse = new Map();
  for (const c of p.connectors) byEvse.set(c.evseId, [...(byEvse.get(c.evseId) ?? []), c]);
  if (byEvse.size === 0) byEvse.set(1, []);
  return [...byEvse.entries()].sort((a, b) => a[0] - b[0]);
}

function circuitOptions() {
  if (state.circuits.length === 0) return '<option value="">site (root)</option>';
  return state.circuits.map((c) => `<option value="${esc(c.id)}">${'· '.repeat(c.depth)}${esc(c.id)}</option>`).join('');
}

function rotationOptions(phases) {
  return ROTATIONS[phases].map((r) => `<option value="${r.join(',')}">${r.join(' ')}</option>`).join('');
}

function placementRow(p) {
  const rows = evsesOf(p)
    .map(([evseId, connectors]) => `<div class="cm-evse" data-evse-id="${evseId}" data-connectors="${connectors.length}">
      <span class="cm-evse-id">EVSE ${evseId}</span>
      <label>circuit <select name="circuit">${circuitOptions()}</select></label>
      <label>phases <select name="phases"><option value="3">3</option><option value="1">1</option></select></label>
      <label>phase rotation <select name="rotation">${rotationOptions(3)}</select></label>
      <label>max <input name="maxCurrentA" type="number" min="6" max="80" step="1" value="16" required> A</label>
    </div>`)
    .join('');
  return `<tr class="cm-place" data-place="${esc(p.stationId)}"><td colspan="7"><form class="cm-place-form" novalidate>
    ${rows}
    <div class="buttons"><button type="submit">Approve and set password</button><button type="button" class="secondary cm-cancel">Cancel</button></div>
    <p class="small muted">The hub sets a new password on the charger over OCPP, keeps only its hash, and closes the connection; the charger logs in again with it and is accepted.</p>
  </form></td></tr>`;
}

function renderPending() {
  const pending = state.data?.pending ?? [];
  const body = $('cm-pending').tBodies[0];
  if (pending.length === 0) {
    body.innerHTML = '<tr><td colspan="7" class="muted">no charger is waiting</td></tr>';
    state.pendingKey = undefined;
    return;
  }
  // Nothing new: leave the rows (and what the operator is typing) alone.
  const key = JSON.stringify([pending, [...state.placing], state.circuits]);
  if (key === state.pendingKey) return;
  state.pendingKey = key;
  // Keep what the operator is typing: rows with an open placement form are moved over as they are.
  const open = new Map([...body.querySelectorAll('tr.cm-place')].map((tr) => [tr.dataset.place, tr]));
  const focused = document.activeElement?.closest('tr.cm-place') ? document.activeElement : undefined;
  body.innerHTML = pending
    .map((p) => {
      const b = p.boot ?? {};
      const connectors = p.connectors.length ? p.connectors.map((c) => `${c.evseId}/${c.connectorId} ${esc(c.status)}`).join(', ') : '<span class="muted">none reported yet</span>';
      const online = p.connected ? '<span class="badge ok">connected</span>' : '<span class="badge warn" title="Approval needs the charger connected">gone</span>';
      return `<tr data-pending="${esc(p.stationId)}">
        <td class="key">${esc(p.stationId)} ${online}</td>
        <td>${esc(p.version ?? '—')}</td>
        <td class="cm-vendor">${esc(b.vendor ?? '—')} ${esc(b.model ?? '')}${b.serialNumber ? `<div class="muted small">serial ${esc(b.serialNumber)}</div>` : ''}</td>
        <td class="cm-firmware">${esc(b.firmwareVersion ?? '—')}</td>
        <td class="cm-connectors">${connectors}</td>
        <td><span title="first seen ${esc(clock(p.firstSeenMs))}">${esc(clock(p.lastSeenMs))}</span><div class="muted small">${esc(p.remoteAddress)}</div></td>
        <td class="cm-actions"><button type="button" class="cm-approve" ${p.version ? '' : 'disabled title="waits for its BootNotification"'}>Approve…</button> <button type="button" class="secondary cm-reject">Reject</button></td>
      </tr>${state.placing.has(p.stationId) ? '<tr class="cm-slot"></tr>' : ''}`;
    })
    .join('');
  for (const slot of body.querySelectorAll('tr.cm-slot')) {
    const id = slot.previousElementSibling.dataset.pending;
    const kept = open.get(id);
    if (kept) slot.replaceWith(kept);
    else {
      slot.outerHTML = placementRow(pending.find((p) => p.stationId === id));
    }
  }
  for (const id of state.placing) if (!pending.some((p) => p.stationId === id)) state.placing.delete(id);
  if (focused?.isConnected) focused.focus();
}

function placementOf(form) {
  return [...form.querySelectorAll('.cm-evse')].map((row) => {
    const get = (name) => row.querySelector(`[name=${name}]`).value;
    const phases = Number(get('phases'));
    const connectors = Number(row.dataset.connectors);
    return {
      id: Number(row.dataset.evseId),
      ...(get('circuit') ? { circuit: get('circuit') } : {}),
      phases,
      phaseRotation: get('rotation').split(','),
      maxCurrentA: Number(get('maxCurrentA')),
      ...(connectors > 1 ? { connectors } : {}),
    };
  });
}

function setupPending() {
  const table = $('cm-pending');
  table.addEventListener('click', (e) => {
    const button = e.target.closest('button');
    if (!button) return;
    const id = button.closest('tr[data-pending]')?.dataset.pending ?? button.closest('tr.cm-place')?.dataset.place;
    if (button.classList.contains('cm-approve')) {
      state.placing.add(id);
      renderPending();
    } else if (button.classList.contains('cm-cancel')) {
      state.placing.delete(id);
      renderPending();
    } else if (button.classList.contains('cm-reject')) {
      state.placing.delete(id);
      void write('POST', `/api/commissioning/pending/${encodeURIComponent(id)}/reject`, undefined, `${id} rejected and disconnected.`);
    }
  });
  // A phase count change offers the rotations for that count.
  table.addEventListener('change', (e) => {
    if (e.target.name !== 'phases') return;
    e.target.closest('.cm-evse').querySelector('[name=rotation]').innerHTML = rotationOptions(Number(e.target.value));
  });
  table.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const id = form.closest('tr.cm-place').dataset.place;
    const evses = placementOf(form);
    const bad = evses.find((ev) => !Number.isFinite(ev.maxCurrentA) || ev.maxCurrentA <= 0);
    if (bad) {
      $('cm-status').className = 'small error';
      $('cm-status').textContent = `EVSE ${bad.id}: enter its maximum current in A.`;
      return;
    }
    form.querySelector('button[type=submit]').disabled = true;
    const ok = await write('POST', `/api/commissioning/pending/${encodeURIComponent(id)}/approve`, { evses }, `${id} approved: password set over OCPP, it reconnects with it.`);
    if (ok) {
      state.placing.delete(id);
      form.closest('tr.cm-place').remove();
    } else form.querySelector('button[type=submit]').disabled = false;
  });
}

// ---- commissioned -------------------------------------------------------------------------
function renderCommissioned() {
  const list = state.data?.commissioned ?? [];
  const body = $('cm-commissioned').tBodies[0];
  if (list.length === 0) {
    body.innerHTML = '<tr><td colspan="5" class="muted">none yet</td></tr>';
    return;
  }
  body.innerHTML = list
    .map((c) => {
      const evses = c.evses
        .map((e) => `EVSE ${e.id}: ${esc(e.circuit ?? 'site')} · ${e.phases ?? 3}p${e.phaseRotation ? ` ${esc(e.phaseRotation.join(' '))}` : ''} · ${e.maxCurrentA ?? '—'} A`)
        .join('<br>');
      const confirming = state.confirmRemove === c.stationId;
      return `<tr data-commissioned="${esc(c.stationId)}">
        <td class="key">${esc(c.stationId)}</td><td>${esc(c.version)}</td><td class="cm-evses">${evses}</td>
        <td>${c.connected ? '<span class="badge ok">connected</span>' : '<span class="badge warn">offline</span>'}<div class="muted small">added ${esc(when(c.createdMs))}</div></td>
        <td><button type="button" class="${confirming ? '' : 'secondary '}cm-remove">${confirming ? 'Confirm remove' : 'Remove'}</button></td>
      </tr>`;
    })
    .join('');
}

function setupCommissioned() {
  $('cm-commissioned').addEventListener('click', (e) => {
    const button = e.target.closest('button.cm-remove');
    if (!button) return;
    const id = button.closest('tr').dataset.commissioned;
    // Two clicks: removing a station stops it from logging in.
    if (state.confirmRemove !== id) {
      state.confirmRemove = id;
      renderCommissioned();
      return;
    }
    state.confirmRemove = undefined;
    void write('DELETE', `/api/commissioning/stations/${encodeURIComponent(id)}`, undefined, `${id} removed: it may no longer log in.`);
  });
}

// ---- refused ------------------------------------------------------------------------------
function renderRefused() {
  const refused = state.data?.refused ?? [];
  const body = $('cm-refused').tBodies[0];
  $('cm-refused-count').textContent = refused.length ? `(${refused.length}, newest first)` : '';
  body.innerHTML = refused.length
    ? refused
        .map((r) => `<tr data-refused="${esc(r.stationId ?? '')}"><td>${esc(clock(r.timeMs))}</td><td class="key">${r.stationId ? esc(r.stationId) : '<span class="muted">—</span>'}</td><td>${esc(r.remoteAddress)}</td><td class="cm-reason">${esc(r.reason)}</td></tr>`)
        .join('')
    : '<tr><td colspan="4" class="muted">nobody refused since the hub started</td></tr>';
}

// ---- sheet --------------------------------------------------------------------------------
const SOURCES = {
  request: 'the URL typed here',
  config: 'server.publicUrl from the site config',
  'host-header': 'the address this page was opened with',
  'listen-address': 'the address the hub listens on',
};

function showSheet(sheet) {
  $('cm-sheet').hidden = false;
  $('cm-sheet-id').textContent = sheet.stationId;
  $('cm-sheet-text').textContent = sheet.text;
  $('cm-sheet-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(sheet.svg)}`;
  $('cm-sheet-until').textContent = when(sheet.untilMs);
  $('cm-sheet-source').textContent = `OCPP URL from ${SOURCES[sheet.ocppUrlSource] ?? sheet.ocppUrlSource}.`;
  $('cm-sheet-source').dataset.source = sheet.ocppUrlSource;
  $('cm-sheet-warning').hidden = !sheet.ocppUrlWarning;
  $('cm-sheet-warning').textContent = sheet.ocppUrlWarning ?? '';
}

function setupSheet() {
  $('cm-sheet-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const stationId = $('cm-sheet-station').value.trim();
    if (!/^[A-Za-z0-9._:-]{1,48}$/.test(stationId)) {
      $('cm-status').className = 'small error';
      $('cm-status').textContent = 'A station id is 1 to 48 letters, digits or . _ : -';
      return;
    }
    const ocppUrl = $('cm-sheet-url').value.trim();
    const body = { stationId, validS: Number($('cm-sheet-valid').value), ...(ocppUrl ? { ocppUrl } : {}) };
    const sheet = await write('POST', '/api/commissioning/sheets', body, `Sheet for ${stationId} made: print it now, the password is not shown again.`);
    if (sheet) showSheet(sheet);
  });
  // Printing shows only the sheet (see commissioning.css).
  $('cm-sheet-print').addEventListener('click', () => {
    document.body.classList.add('cm-print-sheet');
    window.print();
  });
  window.addEventListener('afterprint', () => document.body.classList.remove('cm-print-sheet'));
}

// ---- set-up -------------------------------------------------------------------------------
function render() {
  renderWindow();
  renderPending();
  renderCommissioned();
  renderRefused();
}

function setupWindow() {
  $('cm-window-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void write('POST', '/api/commissioning', { durationS: Number($('cm-duration').value) }, 'Commissioning window open.');
  });
  $('cm-close').addEventListener('click', () => void write('DELETE', '/api/commissioning', undefined, 'Commissioning window closed.'));
}

/** Wires the section; reads at once and then on every snapshot (onSnapshot). */
export function setupCommissioning() {
  if (!$('commissioning')) return;
  setupWindow();
  setupPending();
  setupCommissioned();
  setupSheet();
  window.setInterval(renderWindow, 1000);
  void refresh();
}
