/* global document, window, sessionStorage, fetch, EventSource, CSS */
// Switchyard dashboard: renders the snapshots pushed on /api/stream (server-sent events).
// Plain ES module, no framework, no build step. Power: W, import positive.
import { modeCell, renderControls } from './controls.js';

import { onSnapshot as commissioningSnapshot, setupCommissioning } from './commissioning.js';
import { addLivePoint, chartSpanS, segmentsAtGaps, setupHistory } from './history.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'switchyard.apiToken';
const history = []; // { t, grid, pv, ev, limit }

const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const kw = (w) => (w === undefined || w === null ? '—' : `${(w / 1000).toFixed(1)} kW`);
const amps = (a) => (a === undefined ? '—' : `${a.toFixed(1)} A`);
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ---- live stream -------------------------------------------------------------------------
// With an API token configured the stream needs it too (EventSource cannot send headers: ?token=).
let source;
function connect() {
  source?.close();
  const token = sessionStorage.getItem(TOKEN_KEY);
  source = new EventSource(token ? `/api/stream?token=${encodeURIComponent(token)}` : '/api/stream');
  source.addEventListener('snapshot', (e) => {
    const s = JSON.parse(e.data);
    heard(s.periodMs);
    render(s);
    commissioningSnapshot(s);
  });
  source.onerror = () => {
    notLive();
    // A refusal (401, or too many readers) closes the source for good; a lost connection is retried.
    if (source.readyState !== EventSource.CLOSED) return; // the pill says since when; EventSource retries
    setPill($('live'), 'needs the API token', 'off');
    $('token-row').hidden = false;
  };
}

// ---- liveness: the page says when its figures stopped being live --------------------------
// Live while snapshots keep coming; after two push periods of silence (or a closed stream) the
// page greys out and says since when it has heard nothing.
let lastHeardMs;
let periodMs = 1000;
function heard(period) {
  lastHeardMs = Date.now();
  if (typeof period === 'number' && period > 0) periodMs = period;
  document.body.classList.remove('not-live');
  $('not-live').hidden = true;
  setPill($('live'), 'live', 'on');
}
function notLive() {
  if (document.body.classList.contains('not-live')) return;
  document.body.classList.add('not-live');
  const since = lastHeardMs === undefined ? 'the page opened' : clock(lastHeardMs);
  $('not-live').hidden = false;
  $('not-live-text').textContent = `Not live: no update from the hub since ${since}. The figures below are the last ones received.`;
  setPill($('live'), `disconnected since ${since}`, 'off');
  $('live').title = 'Reconnecting: the page updates again as soon as the hub answers';
}
function watchLiveness() {
  window.setInterval(() => {
    if (lastHeardMs !== undefined && Date.now() - lastHeardMs > 2 * periodMs) notLive();
  }, 500);
}

function setupTokenEntry() {
  $('token').addEventListener('change', () => {
    const typed = $('token').value.trim();
    if (!typed) return;
    sessionStorage.setItem(TOKEN_KEY, typed);
    if (source?.readyState === EventSource.CLOSED) connect();
  });
}

function setPill(el, text, cls) {
  el.textContent = text;
  el.className = `pill ${cls ?? ''}`;
}

function render(s) {
  document.title = `${s.siteName} · Switchyard`;
  $('site-name').textContent = s.siteName;
  // Configured stations that never connected are in the list too (no version): they count as offline.
  const online = s.stations.filter((st) => st.connected).length;
  setPill($('stations-online'), `${online}/${s.stations.length} stations online`, online === s.stations.length ? '' : 'warn');
  $('stations-online').title = s.stations.map((st) => `${st.id}: ${st.connected ? 'online' : st.version ? 'offline' : 'never connected'}`).join('\n');
  setLimitBound(s.siteLimitMaxW);
  $('updated').textContent = `updated ${clock(s.nowMs)}`;
  upstreamMode = s.upstream;
  renderPower(s);
  renderCircuits(s.circuits);
  renderEvses(s.evses);
  renderEvents(s.events);
  $('override-now').innerHTML = s.siteLimit
    ? `Override active: <strong>${kw(s.siteLimit.powerW)}</strong> until ${clock(s.siteLimit.untilMs)} <span class="badge">${esc(s.siteLimit.source)}</span>`
    : 'No override: the circuit limits apply.';
}

// ---- power figures and chart -------------------------------------------------------------
function renderPower(s) {
  const p = s.power;
  $('grid-power').textContent = kw(p.gridW);
  $('pv-power').textContent = kw(p.pvW);
  $('ev-power').textContent = kw(p.evW);
  $('limit-power').textContent = kw(p.limitW);
  $('limit-source').textContent = p.limitSource ?? 'no site limit configured';
  addLivePoint(history, { t: s.nowMs, grid: p.gridW, pv: p.pvW, ev: p.evW, limit: p.limitW });
  drawChart();
}

function drawChart() {
  const svg = $('chart');
  const W = 900, H = 220, left = 44, bottom = 18, top = 8;
  const series = ['limit', 'grid', 'pv', 'ev'];
  const values = history.flatMap((h) => series.map((k) => h[k]).filter((v) => typeof v === 'number'));
  const maxW = Math.max(1000, ...values) * 1.08;
  const minW = Math.min(0, ...values);
  // The time axis grows with the history, from one minute up to the chosen range (history.js).
  const t1 = history.length ? history[history.length - 1].t : 0;
  const spanS = Math.min(chartSpanS(), Math.max(60, history.length ? (t1 - history[0].t) / 1000 : 0));
  const t0 = t1 - spanS * 1000;
  const x = (t) => left + ((t - t0) / (t1 - t0 || 1)) * (W - left - 4);
  const y = (w) => top + (1 - (w - minW) / (maxW - minW)) * (H - top - bottom);
  const step = niceStep((maxW - minW) / 4);
  let out = '';
  for (let w = Math.ceil(minW / step) * step; w <= maxW; w += step) {
    out += `<line class="axis" x1="${left}" x2="${W}" y1="${y(w)}" y2="${y(w)}"/><text x="${left - 6}" y="${y(w) + 4}" text-anchor="end">${(w / 1000).toFixed(step < 1000 ? 1 : 0)}</text>`;
  }
  out += `<text x="${left - 6}" y="${H - 4}" text-anchor="end">kW</text><text x="${left}" y="${H - 4}">−${spanS >= 7200 ? `${Math.round(spanS / 3600)} h` : spanS >= 120 ? `${Math.round(spanS / 60)} min` : `${Math.round(spanS)} s`}</text><text x="${W}" y="${H - 4}" text-anchor="end">now</text>`;
  for (const k of series) {
    // A gap in the history (the hub was off; history.js marks it) breaks the line.
    for (const seg of segmentsAtGaps(history)) {
      const pts = seg.filter((h) => typeof h[k] === 'number').map((h) => `${x(h.t).toFixed(1)},${y(h[k]).toFixed(1)}`);
      if (pts.length === 1 && seg === history) pts.push(pts[0].replace(/^[^,]+/, String(W))); // a single sample still shows as a line
      if (pts.length) out += `<polyline class="${k}" points="${pts.join(' ')}"/>`;
    }
  }
  svg.innerHTML = out;
  svg.dataset.points = String(history.length);
  $('chart-span').textContent = `${history.length} samples`;
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

// ---- circuits ----------------------------------------------------------------------------
function renderCircuits(circuits) {
  if (!circuits.length) return;
  $('circuits').innerHTML = circuits
    .map((c) => {
      const badge = c.stale ? `<span class="badge alarm" title="${esc(c.stale)}">failsafe: ${esc(c.stale)}</span>` : '';
      const name = c.implicit ? `${esc(c.id)} <span class="muted small">(no circuit limit configured)</span>` : esc(c.id);
      const phases = c.phases
        .map((ph) => {
          const used = ph.nonEvA + ph.allocatedA;
          const scale = c.implicit ? Math.max(used, 1) : Math.max(ph.limitA, used, 1);
          const pct = (a) => ((100 * a) / scale).toFixed(1);
          const over = !c.implicit && used > ph.limitA ? ' over' : '';
          const label = c.implicit ? `${used.toFixed(1)} A` : `${used.toFixed(1)} / ${ph.limitA.toFixed(0)} A`;
          return `<div class="phase"><span>${ph.phase}</span><div class="bar${over}" title="other ${ph.nonEvA} A + EV ${ph.allocatedA} A of ${ph.limitA} A"><span class="nonev" style="width:${pct(ph.nonEvA)}%"></span><span class="evload" style="left:${pct(ph.nonEvA)}%;width:${pct(ph.allocatedA)}%"></span></div><span class="amps">${label}</span></div>`;
        })
        .join('');
      return `<div class="circuit" style="margin-left:${c.depth * 1.2}rem"><div class="name">${c.depth ? '└ ' : ''}${name}${badge}</div>${phases}</div>`;
    })
    .join('');
}

// ---- EVSE table --------------------------------------------------------------------------
function renderEvses(evses) {
  const body = $('evse-table').tBodies[0];
  if (!evses.length) {
    body.innerHTML = '<tr><td colspan="9" class="muted">no charging points configured</td></tr>';
    delete body.dataset.keys;
    return;
  }
  // Rows are replaced one by one while the set of EVSEs stays, so the controls rows under them
  // (controls.js) keep what the user is typing.
  const keys = evses.map((e) => e.key).join('\n');
  if (body.dataset.keys !== keys) {
    body.innerHTML = evses.map(evseRow).join('');
    body.dataset.keys = keys;
  } else {
    for (const e of evses) body.querySelector(`tr[data-evse="${CSS.escape(e.key)}"]`)?.replaceWith(rowElement(e));
  }
  renderControls(body, evses, upstreamMode);
}

function rowElement(e) {
  const t = document.createElement('tbody');
  t.innerHTML = evseRow(e);
  return t.firstElementChild;
}

// Plain-language labels; the OCPP term stays on hover (title).
const STATUS_LABELS = {
  Available: 'Free',
  Preparing: 'Plugged in, waiting',
  Charging: 'Charging',
  SuspendedEV: 'Paused by the car',
  SuspendedEVSE: 'Paused by the charger',
  EVConnected: 'Plugged in, not charging',
  Idle: 'Plugged in, idle',
  Finishing: 'Finishing',
  Occupied: 'In use',
  Reserved: 'Reserved',
  Unavailable: 'Out of service',
  Faulted: 'Fault',
  Unknown: 'No status yet',
};
const ALLOCATION_LABELS = {
  paused: ['held back', 'The hub gives it no current now (not enough capacity, or its mode waits)'],
  uncontrollable: ['not controllable', 'The station does not accept charging profiles: the hub counts it at its worst case'],
  fixed: ['fixed', 'A fixed limit applies (setpoint or CSMS profile)'],
};

function statusBadge(e) {
  if (!e.connected) return '<span class="badge warn" title="The station has no connection to the hub">Offline</span>';
  const cls = /Fault|Unavailable/.test(e.status) ? 'alarm' : /Charging/.test(e.status) ? 'ok' : '';
  const label = STATUS_LABELS[e.status] ?? e.status;
  // Only allocation states the connector status does not already tell.
  const a = ALLOCATION_LABELS[e.allocation];
  const alloc = a ? ` <span class="badge warn" title="${esc(a[1])} (allocation: ${esc(e.allocation)})">${esc(a[0])}</span>` : '';
  return `<span class="badge ${cls}" data-status="${esc(e.status)}" title="OCPP status: ${esc(e.status)}">${esc(label)}</span>${alloc}`;
}

function why(e) {
  if (!e.binding) return '<span class="muted">no decision yet</span>';
  const b = e.binding;
  const all = e.limits
    .slice()
    .sort((a, c) => a.maxCurrentA - c.maxCurrentA)
    .map((l) => `<span class="${l.source === b.source ? 'bound' : ''}">${esc(l.maxCurrentA.toFixed(1))} A ${esc(l.source)}</span>`)
    .join(' · ');
  const base = e.baseShareA !== undefined ? ` · safe base ${e.baseShareA.toFixed(1)} A` : '';
  return `<div><span class="binding">${esc(b.source)}</span> sets ${esc(b.maxCurrentA.toFixed(1))} A${b.reason ? ` <span class="reason">— ${esc(b.reason)}</span>` : ''}</div><div class="all">${all}${base}</div>`;
}

/** What the EVSE was last sent; the decided limit next to it while a write is still pending. */
function offered(e) {
  const decided = e.binding?.maxCurrentA;
  if (decided === undefined || e.offeredA === undefined || Math.abs(decided - e.offeredA) < 0.5) return amps(e.offeredA);
  return `${amps(e.offeredA)}<div class="muted small" title="decided, not written yet (writes are rate-limited)">→ ${decided.toFixed(1)} A</div>`;
}

function evseRow(e) {
  const drawn = e.drawnA ? e.drawnA.map((a) => a.toFixed(1)).join(' / ') + ' A' : '—';
  const txId = e.transaction && e.transaction.id.length > 12 ? `${e.transaction.id.slice(0, 8)}…` : e.transaction?.id;
  const tx = e.transaction ? `<span title="${esc(e.transaction.id)} since ${clock(e.transaction.startedMs)}">${esc(txId)}</span>${e.transaction.idToken ? ` <span class="muted small">${esc(e.transaction.idToken)}</span>` : ''}` : '<span class="muted">—</span>';
  const energy = e.transaction?.energyWh !== undefined ? `${(e.transaction.energyWh / 1000).toFixed(2)} kWh` : '—';
  return `<tr class="${e.connected ? '' : 'offline'}" data-evse="${esc(e.key)}">
    <td class="key">${esc(e.key)}</td><td class="status">${statusBadge(e)}</td><td class="opt mode">${modeCell(e)}</td><td class="num opt">${e.phases}</td>
    <td class="num offered">${offered(e)}</td><td class="num drawn">${drawn}</td><td class="opt">${tx}</td><td class="num opt">${energy}</td><td class="why">${why(e)}</td></tr>`;
}

// ---- events ------------------------------------------------------------------------------
function renderEvents(events) {
  if (!events.length) return;
  $('events').innerHTML = events
    .slice()
    .reverse()
    .map((ev) => `<li class="${ev.level}"><time>${clock(ev.atMs)}</time><span>${esc(ev.text)}</span></li>`)
    .join('');
}

// ---- upstream (GET /api/upstream; a hub without it is standalone) ------------------------
let upstreamMode = 'none';
const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 0)} MB`;

async function refreshUpstream() {
  const pill = $('upstream');
  try {
    const res = await fetch('/api/upstream');
    const u = res.ok ? await res.json() : { mode: upstreamMode };
    const links = Array.isArray(u.links) ? u.links : [];
    if ((u.mode ?? 'none') === 'none') {
      setPill(pill, 'standalone (no CSMS)', '');
      pill.title = 'No upstream CSMS: the hub is the CSMS for its stations';
      return;
    }
    const up = links.filter((l) => l.state === 'connected').length;
    const state = links.length === 0 ? u.mode : links.length === 1 ? links[0].state : `${up}/${links.length} links connected`;
    const used = u.budget ? ` · ${mb(u.budget.monthToDateBytes)} this month` : '';
    const outbox = u.outboxDepth ? ` · outbox ${u.outboxDepth}` : '';
    setPill(pill, `upstream ${u.mode}: ${state}${used}${outbox}`, up === links.length && links.length > 0 && !u.budget?.overBudget ? 'on' : 'warn');
    pill.title = links.map((l) => `${l.name ?? l.identity}: ${l.state}${l.lastError ? ` (${l.lastError})` : ''}`).join('\n') +
      (u.budget ? `\nprojected ${mb(u.budget.projectedBytes)}${u.budget.budgetBytes ? ` of ${mb(u.budget.budgetBytes)}` : ''} in ${u.budget.month}` : '');
  } catch {
    setPill(pill, 'upstream ?', 'warn');
  }
}

// ---- site limit form ---------------------------------------------------------------------
async function writeLimit(method, body) {
  const status = $('form-status');
  const typed = $('token').value.trim();
  if (typed) sessionStorage.setItem(TOKEN_KEY, typed);
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch('/api/site/limits', { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token-row').hidden = false;
    $('token').value = '';
    $('token').focus();
    status.className = 'small error';
    status.textContent = token ? 'That token was refused: enter the API token again.' : 'This hub needs its API token (from the site config) to change limits.';
    return;
  }
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    status.className = 'small error';
    status.textContent = err.error ? `${err.error.code}: ${err.error.message}` : `failed (${res.status})`;
    return;
  }
  $('token-row').hidden = true;
  $('token').value = '';
  status.className = 'small ok';
  status.textContent = method === 'POST' ? 'Site limit set.' : 'Override cleared.';
}

let limitMaxW;
function setLimitBound(maxW) {
  if (typeof maxW !== 'number' || maxW === limitMaxW) return;
  limitMaxW = maxW;
  $('limit-kw').max = String(maxW / 1000);
  $('limit-kw').title = `0 to ${(maxW / 1000).toFixed(1)} kW (the site's grid connection)`;
}

function setupForm() {
  $('limit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const powerW = Math.round(Number($('limit-kw').value) * 1000);
    if (!Number.isFinite(powerW) || powerW < 0 || (limitMaxW !== undefined && powerW > limitMaxW)) {
      $('form-status').className = 'small error';
      $('form-status').textContent = `The import limit must be between 0 and ${kw(limitMaxW)} (the site's grid connection).`;
      return;
    }
    void writeLimit('POST', { powerW, durationS: Number($('limit-duration').value) });
  });
  $('limit-clear').addEventListener('click', () => void writeLimit('DELETE'));
}

setupForm();
setupTokenEntry();
watchLiveness();
setupCommissioning();
connect();
setupHistory({ points: history, redraw: drawChart });
void refreshUpstream();
window.setInterval(refreshUpstream, 10_000);
