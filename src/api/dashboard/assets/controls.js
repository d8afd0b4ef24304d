/* global document, sessionStorage, fetch */
// Per-EVSE controls on the dashboard: start/stop (standalone mode), solar mode, priority and an
// operator's max current, each with who set it. One detail row under each EVSE row of the table
// (a <details>, closed by default); app.js replaces only the EVSE rows every second, so what the
// user is typing here survives the live updates. Writes use the API token the page keeps for
// the tab (the same as the site-limit form); errors are said in plain words.

const TOKEN_KEY = 'switchyard.apiToken';

const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SOLAR_LABELS = {
  off: 'Off',
  now: 'Now (full power)',
  'min+pv': 'Min + PV',
  pv: 'PV only',
};

/** Who set a setting, in words. */
export function sourceText(source) {
  if (!source || source === 'config') return 'site config';
  if (source === 'api') return 'set here / API';
  if (source === 'mqtt') return 'set over MQTT / Home Assistant';
  if (source.startsWith('rule:')) return `rule ${source.slice(5)}`;
  return source;
}

/** The Mode cell of the EVSE table: the operation mode and who set it. */
export function modeCell(e) {
  if (!e.mode) return '—';
  const src = e.modeSource ? `<div class="muted small mode-source" title="who set the mode">${esc(sourceText(e.modeSource))}</div>` : '';
  return `${esc(e.mode)}${src}`;
}

// ---- rendering --------------------------------------------------------------------------

/**
 * Called by app.js after each render of the EVSE table: puts a controls row under each EVSE
 * row (created once, then only updated) and drops rows of EVSEs that are gone.
 */
export function renderControls(body, evses, upstream) {
  const standalone = (upstream ?? 'none') === 'none';
  const keys = new Set(evses.map((e) => e.key));
  for (const row of [...body.querySelectorAll('tr.controls-row')]) {
    if (!keys.has(row.dataset.controlsFor)) row.remove();
  }
  for (const e of evses) {
    const main = body.querySelector(`tr[data-evse="${cssEscape(e.key)}"]`);
    if (!main) continue;
    let row = rows.get(e.key);
    if (!row) {
      row = createRow(e);
      rows.set(e.key, row);
    }
    if (main.nextElementSibling !== row) main.after(row);
    updateRow(row, e, standalone);
  }
}

const rows = new Map();
const latest = new Map(); // key -> last EVSE row data

function cssEscape(s) {
  return String(s).replace(/["\\]/g, '\\$&');
}

function createRow(e) {
  const row = document.createElement('tr');
  row.className = 'controls-row';
  row.dataset.controlsFor = e.key;
  const solarOptions = Object.entries(SOLAR_LABELS).map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join('');
  row.innerHTML = `<td colspan="9"><details class="controls">
    <summary><span class="c-title">Controls</span> <span class="c-summary muted small"></span></summary>
    <div class="c-body">
      <div class="c-group c-session">
        <span class="c-label">Session</span>
        <span class="c-start"><input name="idToken" type="text" maxlength="36" placeholder="id token" aria-label="id token to start with" autocomplete="off"> <button type="button" data-action="start">Start</button></span>
        <span class="c-stop"><button type="button" data-action="stop">Stop</button></span>
        <span class="c-csms muted small">started and stopped by the CSMS</span>
      </div>
      <div class="c-group c-solar">
        <label><span class="c-label">Solar mode</span> <select name="solarMode">${solarOptions}</select></label>
        <span class="c-source muted small" data-for="solarMode"></span>
      </div>
      <div class="c-group">
        <label><span class="c-label">Priority</span> <input name="priority" type="number" min="0.1" max="1000" step="any" inputmode="decimal"></label>
        <button type="button" data-action="priority">Set</button>
        <span class="c-source muted small" data-for="priority"></span>
      </div>
      <div class="c-group">
        <label><span class="c-label">Max current</span> <input name="maxCurrentA" type="number" step="0.5" inputmode="decimal"> A</label>
        <button type="button" data-action="maxCurrentA">Set</button>
        <button type="button" class="secondary" data-action="maxCurrentReset">Reset</button>
        <span class="c-source muted small" data-for="maxCurrentA"></span>
      </div>
      <label class="c-token" hidden>API token <input name="token" type="password" placeholder="bearer token from the site config" autocomplete="off"></label>
      <p class="c-status small" role="status"></p>
    </div>
  </details></td>`;
  for (const input of row.querySelectorAll('input, select')) {
    input.addEventListener('input', () => (input.dataset.dirty = '1'));
  }
  row.querySelector('select[name=solarMode]').addEventListener('change', (ev) => {
    void act(row, { solarMode: ev.target.value }, `Solar mode set to ${SOLAR_LABELS[ev.target.value] ?? ev.target.value}.`);
  });
  row.addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-action]');
    if (button) void onButton(row, button.dataset.action);
  });
  row.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || ev.target.tagName !== 'INPUT') return;
    ev.preventDefault();
    if (ev.target.name === 'token') return void retryWithToken(row);
    const action = { priority: 'priority', maxCurrentA: 'maxCurrentA', idToken: 'start' }[ev.target.name];
    if (action) void onButton(row, action);
  });
  row.querySelector('input[name=token]').addEventListener('change', () => void retryWithToken(row));
  return row;
}

/** Shows the latest values, leaving alone what the user is editing. */
function updateRow(row, e, standalone) {
  latest.set(e.key, e);
  const s = e.settings ?? {};
  const q = (sel) => row.querySelector(sel);
  const setValue = (el, value) => {
    if (document.activeElement === el || el.dataset.dirty) return;
    const text = value === undefined || value === null ? '' : String(value);
    if (el.value !== text) el.value = text;
  };

  // Session: Start while no transaction, Stop during one; standalone mode only.
  q('.c-start').hidden = !standalone || Boolean(e.transaction);
  q('.c-stop').hidden = !standalone || !e.transaction;
  q('.c-csms').hidden = standalone;

  // Solar mode (only on sites with a solar-surplus strategy).
  q('.c-solar').hidden = !s.solarMode;
  if (s.solarMode) {
    setValue(q('select[name=solarMode]'), s.solarMode.value);
    const notInForce = e.solarInForce === false ? ` · not in force now: ${esc(e.mode)} (${esc(sourceText(e.modeSource))})` : '';
    q('[data-for=solarMode]').innerHTML = `${esc(sourceText(s.solarMode.source))}${notInForce}`;
  }

  const priority = q('input[name=priority]');
  setValue(priority, s.priority?.value);
  q('[data-for=priority]').textContent = s.priority ? sourceText(s.priority.source) : '';

  const maxInput = q('input[name=maxCurrentA]');
  if (e.minCurrentA !== undefined) maxInput.min = String(e.minCurrentA);
  if (e.maxCurrentA !== undefined) maxInput.max = String(e.maxCurrentA);
  maxInput.title = `${e.minCurrentA ?? '?'} to ${e.maxCurrentA ?? '?'} A`;
  setValue(maxInput, s.maxCurrentA ? s.maxCurrentA.value : e.maxCurrentA);
  q('[data-for=maxCurrentA]').textContent = s.maxCurrentA ? sourceText(s.maxCurrentA.source) : `the charging point's own max (${e.maxCurrentA ?? '?'} A)`;
  q('button[data-action=maxCurrentReset]').hidden = !s.maxCurrentA;

  const parts = [];
  if (s.solarMode) parts.push(`Solar: ${SOLAR_LABELS[s.solarMode.value] ?? s.solarMode.value} (${sourceText(s.solarMode.source)})${e.solarInForce === false ? ' · not in force' : ''}`);
  parts.push(`Max ${s.maxCurrentA ? `${s.maxCurrentA.value} A (${sourceText(s.maxCurrentA.source)})` : `${e.maxCurrentA ?? '?'} A`}`);
  if (s.priority) parts.push(`Priority ${s.priority.value}`);
  const summary = parts.join(' · ');
  if (q('.c-summary').textContent !== summary) q('.c-summary').textContent = summary;
}

// ---- actions ----------------------------------------------------------------------------

async function onButton(row, action) {
  const e = latest.get(row.dataset.controlsFor);
  if (!e) return;
  const q = (sel) => row.querySelector(sel);
  if (action === 'priority') {
    const value = Number(q('input[name=priority]').value);
    if (!Number.isFinite(value) || value <= 0 || value > 1000) return say(row, 'error', 'The priority must be a number above 0 and at most 1000 (higher gets a larger share).');
    return act(row, { priority: value }, `Priority set to ${value}.`);
  }
  if (action === 'maxCurrentA') {
    const raw = q('input[name=maxCurrentA]').value.trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < (e.minCurrentA ?? 0) || value > (e.maxCurrentA ?? Infinity)) {
      return say(row, 'error', `The max current must be between ${e.minCurrentA} and ${e.maxCurrentA} A for this charging point.`);
    }
    return act(row, { maxCurrentA: value }, `Max current set to ${value} A.`);
  }
  if (action === 'maxCurrentReset') return act(row, { maxCurrentA: null }, 'Max current back to the charging point\'s own max.');
  if (action === 'start') {
    const idToken = q('input[name=idToken]').value.trim();
    if (!idToken) return say(row, 'error', 'Enter the id token to start the session for (e.g. the card of the car).');
    return send(row, 'POST', `/api/stations/${encodeURIComponent(e.stationId)}/evses/${e.evseId}/start`, { idToken }, 'Start sent: the charger accepted it, the session shows up in a moment.');
  }
  if (action === 'stop') {
    return send(row, 'POST', `/api/stations/${encodeURIComponent(e.stationId)}/evses/${e.evseId}/stop`, undefined, 'Stop sent: the charger accepted it, the session ends in a moment.');
  }
  return undefined;
}

function act(row, patch, done) {
  const e = latest.get(row.dataset.controlsFor);
  if (!e) return undefined;
  return send(row, 'PATCH', `/api/evses/${encodeURIComponent(e.stationId)}/${e.evseId}`, patch, done, Object.keys(patch));
}

/** The token was typed: keep it for the tab and send again what was refused for want of it. */
function retryWithToken(row) {
  const typed = row.querySelector('input[name=token]').value.trim();
  if (!typed) return undefined;
  sessionStorage.setItem(TOKEN_KEY, typed);
  const retry = retries.get(row);
  retries.delete(row);
  return retry?.();
}

/** Per controls row: the write refused for want of a token, sent again once it is typed. */
const retries = new WeakMap();

async function send(row, method, url, body, done, fields = []) {
  retries.delete(row);
  const typed = row.querySelector('input[name=token]').value.trim();
  if (typed) sessionStorage.setItem(TOKEN_KEY, typed);
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  say(row, 'busy', 'Sending…');
  let res;
  try {
    res = await fetch(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  } catch {
    return say(row, 'error', 'The hub did not answer: check that it is running and try again.');
  }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    retries.set(row, () => send(row, method, url, body, done, fields));
    const tokenRow = row.querySelector('.c-token');
    tokenRow.hidden = false;
    tokenRow.querySelector('input').value = '';
    tokenRow.querySelector('input').focus();
    return say(row, 'error', token ? 'That API token was refused: enter it again, then try again.' : 'This hub needs its API token (from the site config) for changes: enter it below, then try again.');
  }
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    return say(row, 'error', plainError(err.error, res.status));
  }
  row.querySelector('.c-token').hidden = true;
  row.querySelector('input[name=token]').value = '';
  for (const f of fields) {
    const el = row.querySelector(`[name="${f}"]`);
    if (el) delete el.dataset.dirty;
  }
  return say(row, 'ok', done);
}

/** An API error in words a home owner understands; the hub's own reason where it gives one. */
export function plainError(error, status) {
  if (!error) return `The hub refused the change (HTTP ${status}).`;
  const reason = String(error.message ?? '').replace(/^[a-zA-Z]+: /, '');
  switch (error.code) {
    case 'STATION_NOT_CONNECTED': return 'The charger is not connected to the hub right now, so it cannot do that.';
    case 'STATION_REJECTED': return 'The charger said no (it rejected the request). Is a car plugged in?';
    case 'STATION_TIMEOUT': return 'The charger did not answer in time. Try again in a moment.';
    case 'STATION_BUSY': return 'The charger is still busy with an earlier request. Try again in a moment.';
    case 'STATION_CALL_FAILED': return `The charger could not do it: ${reason}`;
    case 'NO_ACTIVE_TRANSACTION': return 'There is no charging session to stop.';
    case 'NOT_STANDALONE': return 'Sessions on this site are started and stopped by the CSMS, not here.';
    case 'NOT_FOUND': return 'The hub does not know this charging point (was the site config changed?).';
    case 'NOT_APPLICABLE': return `That would have no effect here: ${reason}`;
    case 'BAD_REQUEST': return `The hub refused that value: ${reason}`;
    default: return reason || `The hub refused the change (HTTP ${status}).`;
  }
}

function say(row, kind, text) {
  const status = row.querySelector('.c-status');
  status.className = `c-status small ${kind}`;
  status.textContent = text;
}
