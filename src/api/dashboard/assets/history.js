/* global document, window, sessionStorage, localStorage, fetch, URL */
// Switchyard dashboard: power history and completed sessions.
// The chart's points come from GET /api/history on page load and on a range change (so the chart
// is not empty after a reload), then the live snapshots continue it (addLivePoint).
// The sessions list reads GET /api/sessions; the CSV link is GET /api/sessions.csv.

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'switchyard.apiToken';
const RANGE_KEY = 'switchyard.historyRange';
const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 24 * 3600 };
/** Live points are merged into slots of range / LIVE_SLOTS, so a page left open stays light. */
const LIVE_SLOTS = 1800;
const SESSIONS_DAYS = 7;

const saved = globalThis.localStorage?.getItem(RANGE_KEY);
let range = RANGES[saved] ? saved : '1h';
let loading = 0;

const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const authHeaders = () => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
};
const when = (ms) => new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const duration = (ms) => {
  const min = Math.round(ms / 60000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
};

/** The chart's time span, s: the chosen range. */
export function chartSpanS() {
  return RANGES[range];
}

/**
 * Adds a live point ({ t, grid, pv, ev, limit }) to the chart's points: merged (running mean)
 * into the last one while both fall in the same slot, and points older than the range dropped.
 */
export function addLivePoint(points, p) {
  const slotMs = Math.max(1000, (chartSpanS() * 1000) / LIVE_SLOTS);
  const last = points[points.length - 1];
  if (last && last.live && Math.floor(last.t / slotMs) === Math.floor(p.t / slotMs)) {
    const n = last.n + 1;
    for (const k of ['grid', 'pv', 'ev', 'limit']) {
      if (typeof p[k] !== 'number') continue;
      last[k] = typeof last[k] === 'number' ? last[k] + (p[k] - last[k]) / n : p[k];
    }
    last.n = n;
    last.t = p.t;
  } else {
    points.push({ ...p, live: true, n: 1 });
  }
  const fromMs = p.t - chartSpanS() * 1000;
  while (points.length > 0 && points[0].t < fromMs) points.shift();
}

/**
 * Marks the points that follow a gap in time (the hub was off): more than twice `stepMs` after
 * the point before. Stored steps have one step between them; live points come every second.
 */
export function markGaps(points, stepMs) {
  for (let i = 1; i < points.length; i++) points[i].gapBefore = points[i].t - points[i - 1].t > 2 * stepMs;
  return points;
}

/** The points cut at each gap mark: the whole array when there is none (no copy). */
export function segmentsAtGaps(points) {
  if (!points.some((p) => p.gapBefore)) return [points];
  const out = [[]];
  for (const p of points) {
    if (p.gapBefore && out[out.length - 1].length > 0) out.push([]);
    out[out.length - 1].push(p);
  }
  return out;
}

/** Loads the chosen range into `points` (keeping live points newer than the history) and redraws. */
async function loadHistory(points, redraw) {
  const mine = ++loading;
  const status = $('history-status');
  status.textContent = 'loading…';
  try {
    const res = await fetch(`/api/history?range=${range}&series=site`, { headers: authHeaders() });
    if (!res.ok) throw new Error(`history: ${res.status}`);
    const h = await res.json();
    if (mine !== loading) return; // a newer range choice won
    const live = points.filter((p) => p.live);
    const firstLive = live.length ? live[0].t : Infinity;
    const stored = h.t
      .map((t, i) => ({ t, grid: h.site.gridW[i], pv: h.site.pvW[i], ev: h.site.evW[i], limit: h.site.limitW[i] }))
      .filter((p) => p.t < firstLive);
    // Live points sit a second apart; the first one may follow the stored steps after a gap.
    points.splice(0, points.length, ...markGaps([...stored, ...live.slice(0, 1)], h.stepS * 1000), ...live.slice(1));
    const svg = $('chart');
    svg.dataset.historyPoints = String(stored.length);
    svg.dataset.range = range;
    status.textContent = stored.length ? `history: ${stored.length} step${stored.length === 1 ? '' : 's'} of ${h.stepS / 60} min` : 'no history stored yet';
  } catch (err) {
    status.textContent = 'history not available';
    status.title = String(err);
  }
  redraw();
}

function setupRangeChoice(points, redraw) {
  const box = $('history-range');
  box.innerHTML = Object.keys(RANGES)
    .map((r) => `<button type="button" class="secondary${r === range ? ' chosen' : ''}" data-range="${r}" aria-pressed="${r === range}">${r.replace('h', ' h')}</button>`)
    .join('');
  box.addEventListener('click', (e) => {
    const r = e.target.closest('button')?.dataset.range;
    if (!r || r === range) return;
    range = r;
    localStorage.setItem(RANGE_KEY, r);
    for (const b of box.querySelectorAll('button')) {
      b.classList.toggle('chosen', b.dataset.range === r);
      b.setAttribute('aria-pressed', String(b.dataset.range === r));
    }
    // Live points were merged for the old range: the stored history replaces them.
    points.splice(0, points.length);
    void loadHistory(points, redraw);
  });
}

// ---- sessions (the API's default window: the last 7 days on the hub's clock) -------------
async function loadSessions() {
  const body = $('sessions-table').tBodies[0];
  try {
    const res = await fetch('/api/sessions?limit=200', { headers: authHeaders() });
    if (!res.ok) throw new Error(`sessions: ${res.status}`);
    const { sessions } = await res.json();
    $('sessions-count').textContent = `${sessions.length} in the last ${SESSIONS_DAYS} days`;
    body.innerHTML = sessions.length
      ? sessions.map(sessionRow).join('')
      : `<tr><td colspan="7" class="muted">no completed sessions in the last ${SESSIONS_DAYS} days</td></tr>`;
  } catch (err) {
    body.innerHTML = `<tr><td colspan="7" class="muted">sessions not available (${esc(err.message)})</td></tr>`;
  }
}

function sessionRow(s) {
  const kwh = s.energyWh === undefined ? '—' : `${(s.energyWh / 1000).toFixed(2)} kWh`;
  const maxKw = s.maxPowerW === undefined ? '—' : `${(s.maxPowerW / 1000).toFixed(1)} kW`;
  return `<tr data-session="${esc(s.evseKey)} ${esc(s.transactionId)}">
    <td class="key">${esc(s.evseKey)}</td><td class="opt">${esc(s.idToken ?? '—')}</td><td class="opt">${when(s.startedMs)}</td><td>${when(s.endedMs)}</td>
    <td class="num opt">${duration(s.endedMs - s.startedMs)}</td><td class="num energy">${kwh}</td><td class="num">${maxKw}</td></tr>`;
}

/** The CSV link works as a plain download; with an API token in this tab it fetches with it (id tokens unmasked). */
function setupCsvLink() {
  const link = $('sessions-csv');
  link.addEventListener('click', async (e) => {
    if (!sessionStorage.getItem(TOKEN_KEY)) return;
    e.preventDefault();
    const res = await fetch(link.href, { headers: authHeaders() });
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = 'sessions.csv';
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
}

/** Called once by app.js with the chart's points array and its redraw function. */
export function setupHistory({ points, redraw }) {
  setupRangeChoice(points, redraw);
  setupCsvLink();
  void loadHistory(points, redraw);
  void loadSessions();
  window.setInterval(loadSessions, 60_000);
}
