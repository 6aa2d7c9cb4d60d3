// The live dashboard: polls /api/status every second (rates come from the difference of two polls) and
// /api/log every two. No framework: the page is served from the agent's jar as it is written here.
'use strict';
const token = new URLSearchParams(location.search).get('token');
const headers = token ? { Authorization: 'Bearer ' + token } : {};
let previous = null; // {time: ms, steps: Map key -> counters}
let seen = new Map(); // the counters of this poll, by step (and nested step), for the rates of the next

const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}
function num(n) {
  if (n === undefined || n === null) return '–';
  if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(1) + 'G';
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
function bytes(n) {
  if (n === undefined || n === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(Math.round(n)) : n.toFixed(1)) + ' ' + units[i];
}
function duration(s) {
  if (s < 60) return Math.floor(s) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}

async function getJson(path) {
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status + (r.status === 401 ? ' (open this page as /?token=TOKEN)' : ''));
  return r.json();
}

function rate(key, name, now, counters) {
  if (!previous || !previous.steps.has(key)) return null;
  const dt = (now - previous.time) / 1000;
  const before = previous.steps.get(key)[name];
  if (dt <= 0 || before === undefined || counters[name] === undefined) return null;
  return Math.max(0, (counters[name] - before) / dt); // a restarted task starts its counters at 0 again
}

function row(dl, label, value, opts = {}) {
  const dd = el('dd', { class: opts.hot ? 'hot' : '' }, value);
  if (opts.name) { dd.setAttribute('data-counter', opts.name); dd.setAttribute('data-value', String(opts.raw ?? '')); }
  dl.append(el('dt', {}, label), dd);
}

function stepBox(task, s, now) {
  const box = el('div', { class: 'step', 'data-step': String(s.step), 'data-plugin': s.plugin });
  box.append(el('h3', {}, el('span', { class: 'n' }, s.step + '.'), s.plugin));
  return fill(box, task.task + '#' + s.step, s, now);
}

// A step nested in another (failover's outputs, a route's branches and their steps), named as /api/status names it.
function nestedBox(key, s, now) {
  const box = el('div', { class: 'step nested-step', 'data-nested': s.name });
  box.append(el('h3', {}, s.name));
  return fill(box, key, s, now);
}

function fill(box, key, s, now) {
  seen.set(key, s);
  const dl = el('dl');
  const inRate = rate(key, 'events_in', now, s);
  const outRate = rate(key, 'events_out', now, s);
  const byteRate = rate(key, 'bytes_out', now, s);
  row(dl, 'in /s', num(inRate), { name: 'events_in_rate', raw: inRate });
  row(dl, 'out /s', num(outRate), { name: 'events_out_rate', raw: outRate });
  row(dl, 'events out', num(s.events_out), { name: 'events_out', raw: s.events_out });
  if (s.bytes_out > 0 || byteRate) row(dl, 'bytes /s', bytes(byteRate), { name: 'bytes_out_rate', raw: byteRate });
  if (s.bytes_out > 0) row(dl, 'bytes out', bytes(s.bytes_out), { name: 'bytes_out', raw: s.bytes_out });
  row(dl, 'errors', num(s.errors), { name: 'errors', raw: s.errors, hot: s.errors > 0 });
  row(dl, 'retries', num(s.retries), { name: 'retries', raw: s.retries, hot: s.retries > 0 });
  if (s.dropped > 0) row(dl, 'dropped', num(s.dropped), { name: 'dropped', raw: s.dropped, hot: true });
  if (s.in_flight !== undefined) row(dl, 'in flight', num(s.in_flight), { name: 'in_flight', raw: s.in_flight });
  if (s.servers_up !== undefined) row(dl, 'servers up', num(s.servers_up), { name: 'servers_up', raw: s.servers_up, hot: s.servers_up === 0 });
  if (s.checkpoint_lag_bytes !== undefined) row(dl, 'checkpoint lag', bytes(s.checkpoint_lag_bytes), { name: 'checkpoint_lag_bytes', raw: s.checkpoint_lag_bytes });
  if (s.files_followed !== undefined) row(dl, 'files', num(s.files_followed), { name: 'files_followed', raw: s.files_followed });
  if (s.buffer_bytes !== undefined) {
    const limit = s.buffer_limit_bytes || 0;
    const pct = limit > 0 ? Math.min(100, 100 * s.buffer_bytes / limit) : 0;
    row(dl, 'buffer', bytes(s.buffer_bytes) + (limit > 0 ? ' (' + pct.toFixed(0) + '%)' : ''), { name: 'buffer_bytes', raw: s.buffer_bytes, hot: pct >= 80 });
    const bar = el('div', { class: 'fill', title: 'buffer fill' }, el('div'));
    bar.firstChild.style.width = pct + '%';
    dl.append(bar);
  }
  if (s.errors > 0 || s.servers_up === 0) box.classList.add('bad');
  box.append(dl);
  if (s.nested && s.nested.length > 0) {
    const inner = el('div', { class: 'nested' });
    for (const n of s.nested) inner.append(nestedBox(key + ' › ' + n.name, n, now));
    box.append(inner);
  }
  return box;
}

function render(st) {
  const now = Date.parse(st.written);
  $('#agent-health').textContent = st.health;
  $('#agent-health').className = 'badge ' + st.health;
  $('#agent-info').textContent = 'version ' + st.version + ' · pid ' + st.pid + ' · up ' + duration(st.uptime_seconds)
    + ' · ' + st.config + (st.last_reload ? ' · last reload ' + st.last_reload : '');
  const tasks = $('#tasks');
  tasks.replaceChildren();
  if (st.tasks.length === 0) tasks.append(el('p', { class: 'empty' }, 'no tasks'));
  seen = new Map();
  for (const t of st.tasks) {
    const card = el('article', { class: 'task', 'data-task': t.name, 'data-health': t.health });
    card.append(el('h2', {}, t.task, el('span', { class: 'badge ' + t.health }, t.health), el('span', { class: 'state' }, t.state)));
    if (t.reason || t.error) card.append(el('div', { class: 'reason' }, t.reason || t.error));
    const line = el('div', { class: 'pipeline' });
    t.steps.forEach((s, i) => {
      if (i > 0) line.append(el('span', { class: 'arrow' }, '→'));
      line.append(stepBox(t, s, now));
    });
    card.append(line);
    tasks.append(card);
  }
  previous = { time: now, steps: seen };
}

function renderLog(log) {
  const ol = $('#warnings');
  ol.replaceChildren();
  $('#warning-count').textContent = log.total > log.entries.length ? '(last ' + log.entries.length + ' of ' + log.total + ')' : '';
  if (log.entries.length === 0) ol.append(el('li', { class: 'empty' }, 'none'));
  for (const e of log.entries.slice().reverse()) {
    ol.append(el('li', { class: e.level }, el('time', {}, e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')), e.level + ' ' + e.message));
  }
}

async function pollStatus() {
  try {
    render(await getJson('api/status'));
    $('#connection').textContent = '';
  } catch (e) {
    $('#connection').textContent = 'agent unreachable: ' + e.message;
  }
  setTimeout(pollStatus, 1000);
}
async function pollLog() {
  try { renderLog(await getJson('api/log')); } catch (e) { /* the status poll reports it */ }
  setTimeout(pollLog, 2000);
}
pollStatus();
pollLog();
