// The operator console: pages over the management API, called through `ota console`'s /api proxy
// (which signs each call with SigV4 as the CLI does). No framework: DOM built with h(), charts by Chart.js.

const REFRESH_MS = 5000;
const FLEET_SAMPLE_MS = 60000;
const STATES = ['SCHEDULED', 'PREPARING', 'IN_PROGRESS', 'PAUSED', 'CANCELED', 'ABORTED', 'COMPLETED', 'DELETION_IN_PROGRESS'];
const EXEC = ['QUEUED', 'DELIVERED', 'DOWNLOADING', 'BURNING', 'RETRY_PENDING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED', 'SKIPPED'];
const LIVE = ['QUEUED', 'DELIVERED', 'DOWNLOADING', 'BURNING', 'RETRY_PENDING'];
const COLORS = ['#0b5cad', '#116329', '#a40e26', '#7a4d00', '#6f42c1', '#0e7c86', '#b35900', '#4d5560', '#c2185b', '#2e7d32'];
const main = document.getElementById('main');
let timers = [];
let charts = [];

// ---- plumbing ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  let response;
  try { response = await fetch('/api' + path, init); }
  catch (e) { throw new ApiError(0, 'CONSOLE_UNREACHABLE', 'the console server (ota console) is not answering: ' + e.message); }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    throw new ApiError(response.status, (json && json.code) || 'HTTP_' + response.status,
      (json && json.message) || text || response.statusText);
  }
  return json;
}

const enc = encodeURIComponent;
function qs(params) {
  const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => enc(k) + '=' + enc(v)).join('&');
  return q ? '?' + q : '';
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function badge(value) { return value ? h('span', { class: 'badge ' + value }, value) : '—'; }
function when(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }
function bytes(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B'; }

/** An error region: the API's code and message, never a blank page. */
function errorBox(e) {
  return h('div', { class: 'error', role: 'alert' },
    h('code', { 'data-error-code': e.code || 'ERROR' }, e.code || 'ERROR'), ': ', e.message);
}
function showError(slot, e) { slot.replaceChildren(errorBox(e)); }

function table(caption, headers, rows, attrs) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs || {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label || c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'None.')))));
}

function chart(canvas, config) {
  if (!window.Chart) return null;
  const c = new window.Chart(canvas, config);
  charts.push(c);
  return c;
}

function every(ms, fn) {
  fn();
  const id = setInterval(() => { if (!document.hidden) fn(); }, ms);
  timers.push(id);
}

/** Runs a long action with its button disabled and a visible busy state. */
async function busy(button, label, fn) {
  const was = button.textContent;
  button.disabled = true; button.setAttribute('aria-busy', 'true'); button.textContent = label;
  try { return await fn(); } finally { button.disabled = false; button.removeAttribute('aria-busy'); button.textContent = was; }
}

// ---- session ----------------------------------------------------------------------------------

async function session() {
  const el = document.getElementById('session');
  try {
    const r = await fetch('/console/session');
    const s = await r.json();
    if (!r.ok) { el.className = 'session bad'; el.textContent = s.code + ': ' + s.message; return; }
    if (s.credentials) {
      el.className = 'session';
      el.textContent = `API ${s.endpoint} · ${s.region} · key ${s.accessKeyId}`;
    } else {
      el.className = 'session bad';
      el.textContent = s.error.code + ': ' + s.error.message;
      el.setAttribute('data-error-code', s.error.code);
    }
  } catch (e) {
    el.className = 'session bad'; el.textContent = 'CONSOLE_UNREACHABLE: ' + e.message;
  }
}

// ---- pages ------------------------------------------------------------------------------------

function page(title, ...content) {
  main.replaceChildren(h('h2', {}, title), ...content);
  document.title = title + ' · ota console';
}

async function fleetPage(params) {
  const product = params.get('product') || '';
  const slot = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); location.hash = '#/fleet?product=' + enc(form.product.value.trim()); } },
    h('label', {}, 'Product', h('input', { name: 'product', value: product, required: true, autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Show'));
  page('Fleet', form, slot);
  if (!product) { slot.append(h('p', { class: 'muted' }, 'Name a product to see its devices per firmware version and its devices per state in live jobs.')); return; }
  try {
    const [versions, jobs] = await Promise.all([
      api('GET', `/products/${enc(product)}/versions`),
      api('GET', '/jobs' + qs({ productId: product, limit: 100 }))]);
    const live = jobs.items.filter(j => !j.ended);
    const byState = Object.fromEntries(EXEC.map(s => [s, live.reduce((n, j) => n + (j.counts[s] || 0), 0)]));
    const vCanvas = h('canvas', { role: 'img', 'aria-label': 'Devices per reported firmware version' });
    const sCanvas = h('canvas', { role: 'img', 'aria-label': 'Devices per execution state in live jobs' });
    const hCanvas = h('canvas', { role: 'img', 'aria-label': 'Devices per version, sampled while this page is open' });
    slot.replaceChildren(h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h3', {}, `Versions (${versions.devices} devices reporting)`),
        h('div', { class: 'chart-box' }, vCanvas),
        table('Devices per version', ['Version', { label: 'Devices', num: true }, { label: '%', num: true }],
          versions.versions.map(v => h('tr', {}, h('td', {}, v.version), h('td', { class: 'num' }, v.devices), h('td', { class: 'num' }, v.percent.toFixed(1)))),
          { id: 'fleet-versions' })),
      h('section', { class: 'panel' }, h('h3', {}, `Devices by state in ${live.length} live job(s)`),
        h('div', { class: 'chart-box' }, sCanvas),
        table('Devices per state', ['State', { label: 'Devices', num: true }],
          EXEC.filter(s => byState[s]).map(s => h('tr', {}, h('td', {}, badge(s)), h('td', { class: 'num' }, byState[s]))),
          { id: 'fleet-states' })),
      h('section', { class: 'panel' }, h('h3', {}, 'Versions while this page is open'),
        h('p', { class: 'muted', id: 'fleet-history-note' }, `The API keeps no history of the fleet's versions: this chart starts when the page opened and adds a sample every ${FLEET_SAMPLE_MS / 60000} minute(s) (one API call each).`),
        h('div', { class: 'chart-box' }, hCanvas))));
    chart(vCanvas, { type: 'doughnut', data: { labels: versions.versions.map(v => v.version),
      datasets: [{ data: versions.versions.map(v => v.devices), backgroundColor: COLORS }] }, options: { maintainAspectRatio: false, animation: false } });
    const shifting = chart(hCanvas, { type: 'line', data: { labels: [], datasets: [] },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    const sample = v => {
      if (!shifting) return;
      shifting.data.labels.push(new Date().toLocaleTimeString());
      const n = shifting.data.labels.length;
      for (const { version, devices } of v.versions) {
        let ds = shifting.data.datasets.find(d => d.label === version);
        if (!ds) {
          const color = COLORS[shifting.data.datasets.length % COLORS.length];
          ds = { label: version, data: new Array(n - 1).fill(0), borderColor: color, backgroundColor: color, fill: false };
          shifting.data.datasets.push(ds);
        }
        ds.data.push(devices);
      }
      shifting.data.datasets.forEach(d => { while (d.data.length < n) d.data.push(0); });
      shifting.update();
    };
    sample(versions);
    timers.push(setInterval(async () => {
      if (document.hidden) return;
      try { sample(await api('GET', `/products/${enc(product)}/versions`)); } catch { /* the next sample tries again */ }
    }, FLEET_SAMPLE_MS));
    chart(sCanvas, { type: 'bar', data: { labels: EXEC, datasets: [{ label: 'devices', data: EXEC.map(s => byState[s]), backgroundColor: '#0b5cad' }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } } });
  } catch (e) { showError(slot, e); }
}

async function firmwarePage(params) {
  const product = params.get('product') || '';
  const listSlot = h('div', { 'aria-live': 'polite' });
  const uploadSlot = h('div', { 'aria-live': 'polite' });
  const filter = h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); location.hash = '#/firmware?product=' + enc(filter.product.value.trim()); } },
    h('label', {}, 'Product', h('input', { name: 'product', value: product, autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Filter'));
  const upload = h('form', { class: 'inline', id: 'upload-form', onsubmit: e => { e.preventDefault(); uploadFirmware(upload, uploadSlot, () => load()); } },
    h('label', {}, 'Product', h('input', { name: 'productId', value: product, required: true, pattern: '[A-Za-z0-9_.:@-]{1,64}' })),
    h('label', {}, 'Version', h('input', { name: 'version', required: true, pattern: '[A-Za-z0-9._+~-]{1,32}' })),
    h('label', {}, 'Description', h('input', { name: 'description', maxlength: 1024 })),
    h('label', {}, 'File', h('input', { name: 'file', type: 'file', required: true })),
    h('button', { type: 'submit', name: 'submit' }, 'Upload'));
  page('Firmware', h('section', { class: 'panel' }, h('h3', {}, 'Upload'), upload, uploadSlot), filter, listSlot);
  let next = null;
  const rows = [];
  async function load(more) {
    try {
      if (!more) { rows.length = 0; next = null; }
      const r = await api('GET', '/firmware' + qs({ productId: product, limit: 50, nextToken: more ? next : null }));
      next = r.nextToken;
      rows.push(...r.items);
      listSlot.replaceChildren(table('Firmware catalogue',
        ['Product', 'Version', 'Status', { label: 'Size', num: true }, 'MD5', 'Description', 'Created', 'Actions'],
        rows.map(fw => firmwareRow(fw, () => load())), { id: 'firmware-table' }),
        next ? h('button', { class: 'secondary', onclick: () => load(true) }, 'Load more') : '');
    } catch (e) { showError(listSlot, e); }
  }
  load();
}

function firmwareRow(fw, reload) {
  const desc = h('td', {}, fw.description || '');
  const actions = h('td', {});
  const path = `/firmware/${enc(fw.productId)}/${enc(fw.version)}`;
  const err = h('div', {});
  actions.append(
    h('button', { class: 'secondary', 'aria-label': `Edit description of ${fw.version}`, onclick: () => {
      const input = h('input', { value: fw.description || '', 'aria-label': `Description of ${fw.version}`, maxlength: 1024 });
      const save = h('button', { onclick: async () => {
        try { await busy(save, 'Saving…', () => api('PATCH', path, { description: input.value })); reload(); }
        catch (e) { showError(err, e); }
      } }, 'Save');
      desc.replaceChildren(input, save); input.focus();
    } }, 'Edit'), ' ',
    h('button', { class: 'danger', 'aria-label': `Delete ${fw.version}`, onclick: async ev => {
      if (!confirm(`Delete firmware ${fw.productId} ${fw.version} and its file?`)) return;
      try { await busy(ev.target, 'Deleting…', () => api('DELETE', path)); reload(); }
      catch (e) { showError(err, e); }
    } }, 'Delete'), err);
  return h('tr', { 'data-version': fw.version },
    h('td', {}, fw.productId), h('td', {}, fw.version),
    h('td', {}, badge(fw.status), fw.rejectionReason ? h('div', { class: 'muted' }, 'Reason: ' + fw.rejectionReason) : ''),
    h('td', { class: 'num' }, bytes(fw.fileSize)), h('td', {}, h('code', {}, fw.md5sum)),
    desc, h('td', {}, when(fw.createdAt)), actions);
}

/** Sends the file to `ota console`, which runs the CLI's upload (MD5, reserve, PUT or multipart to S3). */
async function uploadFirmware(form, slot, reload) {
  const file = form.file.files[0];
  const id = crypto.randomUUID();
  const bar = h('progress', { max: 100, value: 0, id: 'upload-progress', 'aria-label': 'Upload progress' });
  const status = h('p', { role: 'status', id: 'upload-status' }, 'Sending the file to the console…');
  slot.replaceChildren(bar, status);
  const button = form.submit;
  await busy(button, 'Uploading…', () => new Promise(resolve => {
    const xhr = new XMLHttpRequest();
    const poll = setInterval(async () => {
      try {
        const r = await fetch('/console/upload/' + id);
        if (!r.ok) return;
        const p = await r.json();
        if (p.phase === 'md5') { status.textContent = 'Computing MD5…'; bar.value = 50 + 10 * p.done / p.total; }
        if (p.phase === 'upload') { status.textContent = `Uploading to S3: ${bytes(p.done)} of ${bytes(p.total)}`; bar.value = 60 + 35 * p.done / p.total; }
      } catch { /* the next poll tells */ }
    }, 400);
    xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = 50 * e.loaded / e.total; };
    xhr.onload = async () => {
      clearInterval(poll);
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 95;
        status.textContent = 'Uploaded; the backend is verifying size, MD5 and SHA-256…';
        const fw = await awaitVerified(body.productId, body.version, status);
        bar.value = 100;
        if (fw) {
          status.replaceChildren('Firmware ', h('strong', {}, fw.version), ' is ', badge(fw.status),
            fw.rejectionReason ? ' — ' + fw.rejectionReason : '');
        }
        reload();
      } else {
        slot.replaceChildren(errorBox(new ApiError(xhr.status, (body && body.code) || 'HTTP_' + xhr.status, (body && body.message) || xhr.statusText)));
      }
      resolve();
    };
    xhr.onerror = () => { clearInterval(poll); slot.replaceChildren(errorBox(new ApiError(0, 'CONSOLE_UNREACHABLE', 'the upload did not reach the console'))); resolve(); };
    xhr.open('POST', '/console/upload/' + id + qs({ productId: form.productId.value.trim(), version: form.version.value.trim(),
      description: form.description.value || null, fileName: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(file.name) ? file.name : null }));
    xhr.send(file);
  }));
}

async function awaitVerified(product, version, status) {
  for (let i = 0; i < 600; i++) {
    try {
      const fw = await api('GET', `/firmware/${enc(product)}/${enc(version)}`);
      if (fw.status !== 'UPLOADING') return fw;
    } catch (e) { status.replaceChildren(errorBox(e)); return null; }
    await new Promise(r => setTimeout(r, 1000));
  }
  status.textContent = 'Still UPLOADING after 10 minutes; check the catalogue later.';
  return null;
}

/** Rows a list asks the API for: the page's `pageSize` setting (1..1000, in its address), else the default. */
function pageSize(params, fallback) {
  const n = Number(params.get('pageSize'));
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : fallback;
}

async function jobsPage(params) {
  const product = params.get('product') || '';
  const state = params.get('state') || '';
  const limit = pageSize(params, 100);
  const slot = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); location.hash = '#/jobs' + qs({ product: form.product.value.trim(), state: form.state.value, pageSize: params.get('pageSize') }); } },
    h('label', {}, 'Product', h('input', { name: 'product', value: product, autocomplete: 'off' })),
    h('label', {}, 'State', h('select', { name: 'state' }, h('option', { value: '' }, 'any'),
      STATES.map(s => h('option', { value: s, selected: s === state }, s)))),
    h('button', { type: 'submit' }, 'Filter'), ' ', h('a', { href: '#/jobs/new' }, 'Create job'));
  page('Jobs', form, slot);
  let next = null;
  const items = [];
  async function load(more) {
    try {
      const r = await api('GET', '/jobs' + qs({ productId: product, limit, nextToken: more ? next : null }));
      next = r.nextToken;
      items.push(...r.items.filter(j => !state || j.state === state));
      slot.replaceChildren(table(state ? `Jobs in state ${state} (the API lists all; filtered here)` : 'Jobs',
        ['Job', 'Product', 'Target', 'State', { label: 'Finished', num: true }, { label: 'Targets', num: true }, 'Created'],
        items.map(j => h('tr', {}, h('td', {}, h('a', { href: '#/jobs/' + enc(j.jobId) }, j.jobId)), h('td', {}, j.productId),
          h('td', {}, j.targetVersion), h('td', {}, badge(j.state)), h('td', { class: 'num' }, j.finished),
          h('td', { class: 'num' }, j.targetCount), h('td', {}, when(j.createdAt)))), { id: 'jobs-table' }),
        next ? h('button', { class: 'secondary', id: 'jobs-more', onclick: e => busy(e.target, 'Loading…', () => load(true)) }, 'Load more') : '');
    } catch (e) { showError(slot, e); }
  }
  load();
}

function jobPage(jobId, params) {
  const devicePageSize = pageSize(params, 20);
  const head = h('div', { 'aria-live': 'polite', id: 'job-head' });
  const actionsErr = h('div', {});
  const stages = h('div', { id: 'job-stages' });
  const failures = h('div', { id: 'job-failures' });
  const timeline = h('ol', { class: 'timeline', id: 'job-timeline' });
  const funnelCanvas = h('canvas', { role: 'img', 'aria-label': 'Devices per state over time, since this page opened' });
  const failCanvas = h('canvas', { role: 'img', 'aria-label': 'Failed devices per result code' });
  const devices = h('div', { id: 'job-devices' });
  const buttons = {
    pause: h('button', { class: 'secondary', onclick: e => act(e.target, 'pause', 'Pausing…') }, 'Pause'),
    resume: h('button', { onclick: e => act(e.target, 'resume', 'Resuming…') }, 'Resume'),
    cancel: h('button', { class: 'danger', onclick: e => { if (confirm(`Cancel job ${jobId}? No device gets it afterwards.`)) act(e.target, 'cancel', 'Canceling…'); } }, 'Cancel job'),
  };
  page('Job ' + jobId, head, h('div', { class: 'toolbar' }, buttons.pause, buttons.resume, buttons.cancel), actionsErr,
    h('section', { class: 'panel' }, h('h3', {}, 'Stages'), stages),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h3', {}, 'Funnel over time'), h('div', { class: 'chart-box' }, funnelCanvas)),
      h('section', { class: 'panel' }, h('h3', {}, 'Failures by result code'), h('div', { class: 'chart-box' }, failCanvas), failures),
      h('section', { class: 'panel' }, h('h3', {}, 'Timeline'), timeline)),
    h('section', { class: 'panel' }, h('h3', {}, 'Devices'), devices));

  const groups = { queued: ['QUEUED'], 'in progress': ['DELIVERED', 'DOWNLOADING', 'BURNING', 'RETRY_PENDING'],
    succeeded: ['SUCCEEDED'], failed: ['FAILED', 'TIMED_OUT'], 'canceled/skipped': ['CANCELED', 'SKIPPED'] };
  const groupColors = ['#4d5560', '#0b5cad', '#116329', '#a40e26', '#b35900'];
  const funnel = chart(funnelCanvas, { type: 'line', data: { labels: [], datasets: Object.keys(groups).map((g, i) => ({
    label: g, data: [], borderColor: groupColors[i], backgroundColor: groupColors[i], fill: false, tension: 0.2 })) },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
  const failChart = chart(failCanvas, { type: 'bar', data: { labels: [], datasets: [{ label: 'devices', data: [], backgroundColor: '#a40e26' }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
  let lastProduct = '';

  async function act(button, verb, label) {
    actionsErr.replaceChildren();
    try { await busy(button, label, () => api('POST', `/jobs/${enc(jobId)}/${verb}`)); refresh(); }
    catch (e) { showError(actionsErr, e); }
  }

  async function refresh() {
    let job, health;
    try {
      [job, health] = await Promise.all([api('GET', `/jobs/${enc(jobId)}`), api('GET', `/jobs/${enc(jobId)}/health`)]);
    } catch (e) { showError(head, e); return; }
    lastProduct = job.productId;
    head.replaceChildren(h('p', {}, 'Product ', h('strong', {}, job.productId), ', firmware ', h('strong', {}, job.targetVersion), ' · ',
      h('span', { id: 'job-state' }, badge(job.state)), ` · ${job.finished} of ${job.targetCount} finished · stage ${(job.currentStage ?? 0) + 1} of ${job.stageCount ?? 1}`),
      job.stateReason ? h('p', { class: 'muted', id: 'job-reason' }, job.stateReason) : '');
    buttons.pause.disabled = job.state !== 'IN_PROGRESS';
    buttons.resume.disabled = job.state !== 'PAUSED';
    buttons.cancel.disabled = job.ended;
    // Timeline: the job's events as the API stores them (each written with the change it records; the last 100).
    timeline.replaceChildren(...(job.events || []).map(e => h('li', { 'data-kind': e.kind }, h('time', { datetime: e.at }, when(e.at)), ' — ',
      e.kind.toLowerCase().replace('_', ' '), e.actor ? ` by ${e.actor}` : '', e.detail ? (e.detail.startsWith('by ') ? ' ' : ': ') + e.detail : '')));
    stages.replaceChildren(table('Stages, thresholds and verdicts',
      ['Stage', 'Phase', { label: 'Size', num: true }, { label: 'Released', num: true }, { label: 'Succeeded', num: true },
        { label: 'Failed', num: true }, { label: 'Timed out', num: true }, { label: 'Live', num: true },
        'Success % / threshold', 'Failure % / threshold', 'Verdict'],
      health.stages.map(s => h('tr', { 'data-stage': s.stage }, h('td', {}, s.stage), h('td', {}, badge(s.phase)), h('td', { class: 'num' }, s.size),
        h('td', { class: 'num' }, s.entered), h('td', { class: 'num' }, s.succeeded), h('td', { class: 'num' }, s.failed),
        h('td', { class: 'num' }, s.timedOut), h('td', { class: 'num' }, s.live),
        h('td', {}, `${s.successPercent.toFixed(0)}% / ${s.successThresholdPercent ?? '—'}%`),
        h('td', {}, `${s.failurePercent.toFixed(0)}% / ${s.failureThresholdPercent ?? '—'}%` + (s.minDevicesForFailure ? ` (min ${s.minDevicesForFailure})` : '')),
        h('td', {}, badge(s.verdict), s.verdictReason ? h('div', { class: 'muted' }, s.verdictReason) : ''))), { id: 'stages-table' }));
    const codes = Object.entries(health.failuresByCode).filter(([, n]) => n > 0);
    failures.replaceChildren(table(`Failures by result code (${health.failed} failed, ${health.timedOut} timed out, ${health.retries} retries)`,
      ['Code', { label: 'Devices', num: true }], codes.map(([c, n]) => h('tr', { 'data-code': c }, h('td', {}, c), h('td', { class: 'num' }, n))), { id: 'failures-table' }));
    if (failChart) { failChart.data.labels = codes.map(([c]) => c); failChart.data.datasets[0].data = codes.map(([, n]) => n); failChart.update(); }
    if (funnel) {
      funnel.data.labels.push(new Date().toLocaleTimeString());
      Object.values(groups).forEach((states, i) => funnel.data.datasets[i].data.push(states.reduce((n, s) => n + (job.counts[s] || 0), 0)));
      funnel.update();
    }
    loadDevices();
  }

  // Device table: paging with the API's nextToken, a status filter (the API's), a search over the page.
  const filter = { status: '', search: '', tokens: [null], page: 0 };
  const deviceErr = h('div', {});
  const tableSlot = h('div', {});
  const pager = h('div', { class: 'toolbar' });
  const statusSelect = h('select', { id: 'device-status', onchange: () => { filter.status = statusSelect.value; filter.tokens = [null]; filter.page = 0; loadDevices(); } },
    h('option', { value: '' }, 'any'), EXEC.map(s => h('option', { value: s }, s)));
  const search = h('input', { id: 'device-search', type: 'search', oninput: () => { filter.search = search.value.trim(); render(); } });
  devices.replaceChildren(h('div', { class: 'toolbar' }, h('label', {}, 'Status', statusSelect), h('label', {}, 'Search this page', search)), deviceErr, tableSlot, pager);
  let pageItems = [];
  async function loadDevices() {
    try {
      const r = await api('GET', `/jobs/${enc(jobId)}/devices` + qs({ status: filter.status, limit: devicePageSize, nextToken: filter.tokens[filter.page] }));
      pageItems = r.items;
      filter.tokens[filter.page + 1] = r.nextToken;
      render();
    } catch (e) { showError(deviceErr, e); }
  }
  function render() {
    const shown = pageItems.filter(d => !filter.search || d.deviceName.toLowerCase().includes(filter.search.toLowerCase()));
    tableSlot.replaceChildren(table(`Devices, page ${filter.page + 1}`, ['Device', 'Status', { label: '%', num: true }, { label: 'Code', num: true }, 'Message', { label: 'Attempt', num: true }, 'From', 'Updated', 'Actions'],
      shown.map(d => {
        const err = h('div', {});
        // Retry: anything but SUCCEEDED (the API's rule); cancel: a device whose update has not ended.
        const retry = h('button', { class: 'secondary', disabled: d.status === 'SUCCEEDED', 'aria-label': `Retry ${d.deviceName}`, onclick: async () => {
          try { await busy(retry, 'Retrying…', () => api('POST', `/jobs/${enc(jobId)}/devices/${enc(d.deviceName)}/retry`)); refresh(); } catch (e) { showError(err, e); } } }, 'Retry');
        const cancel = h('button', { class: 'secondary', disabled: !LIVE.includes(d.status), 'aria-label': `Cancel ${d.deviceName}`, onclick: async () => {
          try { await busy(cancel, 'Canceling…', () => api('POST', `/jobs/${enc(jobId)}/devices/${enc(d.deviceName)}/cancel`)); refresh(); } catch (e) { showError(err, e); } } }, 'Cancel');
        return h('tr', { 'data-device': d.deviceName },
          h('td', {}, h('a', { href: `#/device?product=${enc(d.productId || lastProduct)}&device=${enc(d.deviceName)}` }, d.deviceName)),
          h('td', { class: 'status' }, badge(d.status)), h('td', { class: 'num' }, d.percent), h('td', { class: 'num code' }, d.resultCode),
          h('td', {}, d.resultMsg || ''), h('td', { class: 'num' }, d.attempt), h('td', {}, d.fromVersion || '—'), h('td', {}, when(d.updatedAt)),
          h('td', {}, retry, ' ', cancel, err));
      }), { id: 'devices-table' }));
    pager.replaceChildren(
      h('button', { class: 'secondary', id: 'devices-prev', disabled: filter.page === 0, onclick: () => { filter.page--; loadDevices(); } }, 'Previous page'),
      h('button', { class: 'secondary', id: 'devices-next', disabled: !filter.tokens[filter.page + 1], onclick: () => { filter.page++; loadDevices(); } }, 'Next page'));
  }
  every(REFRESH_MS, refresh);
}

function createJobPage() {
  const out = h('pre', { class: 'json', id: 'job-json', 'aria-label': 'The JSON the console will send' });
  const estimate = h('p', { role: 'status', id: 'job-estimate' });
  const result = h('div', { 'aria-live': 'polite' });
  const stageList = h('div', { id: 'stages' });
  const num = (name, label, attrs) => h('label', {}, label, h('input', { name, type: 'number', ...attrs }));
  const text = (name, label, attrs) => h('label', {}, label, h('input', { name, ...attrs }));
  const form = h('form', { id: 'create-job', oninput: update, onchange: update, onsubmit: submit },
    h('fieldset', {}, h('legend', {}, 'Firmware'), h('div', { class: 'form-cols' },
      text('productId', 'Product', { required: true }), text('targetVersion', 'Target version', { required: true }),
      text('description', 'Description', { maxlength: 1024 }))),
    h('fieldset', {}, h('legend', {}, 'Targets'), h('div', { class: 'form-cols' },
      h('label', {}, 'Type', h('select', { name: 'targetType' }, ['DEVICE_LIST', 'SOURCE_VERSIONS', 'PRODUCT', 'DEVICE_LIST_FILE', 'THING_GROUP', 'FLEET_QUERY'].map(t => h('option', { value: t }, t)))),
      h('label', {}, 'Device names (one per line or comma)', h('textarea', { name: 'deviceNames', rows: 3 })),
      text('sourceVersions', 'Source versions (comma-separated)'),
      text('deviceListS3Key', 'Device-list S3 key'), text('thingGroupName', 'Thing group'), text('fleetQuery', 'Fleet query'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'dynamic' }), 'Dynamic (devices that qualify later too)'))),
    h('fieldset', {}, h('legend', {}, 'Rate and ramp'), h('div', { class: 'form-cols' },
      num('ratePerMinute', 'Devices per minute', { min: 1, max: 100000 }), num('rampBaseRatePerMinute', 'Ramp base rate', { min: 1 }),
      num('rampFactor', 'Ramp factor', { min: 1.0001, max: 10, step: 'any' }), num('rampEveryDevices', 'Ramp every N devices', { min: 1 }))),
    h('fieldset', {}, h('legend', {}, 'Stages'), stageList,
      h('button', { type: 'button', class: 'secondary', id: 'add-stage', onclick: () => { addStage(); update(); } }, 'Add stage')),
    h('fieldset', {}, h('legend', {}, 'Schedule, timeout and retries'), h('div', { class: 'form-cols' },
      text('startAt', 'Start at (UTC)', { type: 'datetime-local' }), text('endAt', 'End at (UTC)', { type: 'datetime-local' }),
      num('inProgressTimeoutSeconds', 'In-progress timeout (s)', { min: 60, max: 604800 }),
      num('maxAttempts', 'Max attempts', { min: 1, max: 11 }), text('retryableCodes', 'Retryable codes (e.g. -1,-2)'),
      num('intervalSeconds', 'Retry interval (s)', { min: 0, max: 86400 }),
      text('clientToken', 'Client token (idempotency)', { value: crypto.randomUUID(), pattern: '[A-Za-z0-9_-]{1,64}' }))),
    h('button', { type: 'submit', name: 'submit' }, 'Create job'));
  let stageCount = 0;
  function addStage() {
    const i = ++stageCount;
    const row = h('div', { class: 'stage-row', 'data-stage': i },
      h('strong', {}, `Stage ${i}`),
      h('label', {}, 'Devices', h('input', { type: 'number', min: 1, name: `s${i}.deviceCount` })),
      h('label', {}, 'or percent', h('input', { type: 'number', min: 1, max: 100, name: `s${i}.percent` })),
      h('label', {}, 'Success threshold %', h('input', { type: 'number', min: 0, max: 100, value: 100, name: `s${i}.successThresholdPercent` })),
      h('label', {}, 'Failure threshold %', h('input', { type: 'number', min: 0, max: 100, value: 20, name: `s${i}.failureThresholdPercent` })),
      h('label', {}, 'Min devices for failure', h('input', { type: 'number', min: 1, name: `s${i}.minDevicesForFailure` })),
      h('label', {}, 'On failure', h('select', { name: `s${i}.onFailure` }, h('option', { value: '' }, 'default (PAUSE)'), h('option', { value: 'PAUSE' }, 'PAUSE'), h('option', { value: 'ABORT' }, 'ABORT'))),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove stage ${i}`, onclick: () => { row.remove(); update(); } }, 'Remove'));
    stageList.append(row);
  }
  page('Create job', h('div', { class: 'grid-2' }, h('section', { class: 'panel' }, form, result), h('section', {}, h('h3', {}, 'Request'), estimate, out)));

  const v = n => form.elements[n] && form.elements[n].value.trim();
  const int = n => v(n) === '' || v(n) === undefined ? undefined : Number(v(n));
  const list = s => (s || '').split(/[\s,]+/).map(x => x.trim()).filter(Boolean);
  const iso = n => v(n) ? new Date(v(n) + 'Z').toISOString().replace('.000Z', 'Z') : undefined;
  function body() {
    const type = v('targetType');
    const targets = { type };
    if (list(v('sourceVersions')).length) targets.sourceVersions = list(v('sourceVersions'));
    if (type === 'DEVICE_LIST') targets.deviceNames = list(v('deviceNames'));
    if (type === 'DEVICE_LIST_FILE') targets.deviceListS3Key = v('deviceListS3Key');
    if (type === 'THING_GROUP') targets.thingGroupName = v('thingGroupName');
    if (type === 'FLEET_QUERY') targets.fleetQuery = v('fleetQuery');
    const b = { clientToken: v('clientToken') || undefined, productId: v('productId'), targetVersion: v('targetVersion'), targets };
    if (form.elements.dynamic.checked) b.dynamic = true;
    if (int('ratePerMinute')) {
      b.rollout = { ratePerMinute: int('ratePerMinute'), rampBaseRatePerMinute: int('rampBaseRatePerMinute'),
        rampFactor: v('rampFactor') ? Number(v('rampFactor')) : undefined, rampEveryDevices: int('rampEveryDevices') };
    }
    const stages = [...stageList.querySelectorAll('.stage-row')].map(row => {
      const i = row.dataset.stage;
      const s = { deviceCount: int(`s${i}.deviceCount`), percent: int(`s${i}.percent`), successThresholdPercent: int(`s${i}.successThresholdPercent`),
        failureThresholdPercent: int(`s${i}.failureThresholdPercent`), minDevicesForFailure: int(`s${i}.minDevicesForFailure`), onFailure: v(`s${i}.onFailure`) || undefined };
      return s;
    });
    if (stages.length) b.stages = stages;
    b.startAt = iso('startAt'); b.endAt = iso('endAt');
    b.inProgressTimeoutSeconds = int('inProgressTimeoutSeconds');
    if (int('maxAttempts')) b.retry = { maxAttempts: int('maxAttempts'), retryableCodes: list(v('retryableCodes')).length ? list(v('retryableCodes')).map(Number) : undefined, intervalSeconds: int('intervalSeconds') };
    if (v('description')) b.description = v('description');
    return JSON.parse(JSON.stringify(b));
  }
  // The count is the API's dry run (POST /jobs/dry-run): checked as a create is, counted as the expansion would count.
  function update() {
    out.textContent = JSON.stringify(body(), null, 2);
    estimate.textContent = 'Press "Count devices" for the exact number of devices this job would target now.';
  }
  async function count() {
    try {
      const c = await busy(countButton, 'Counting…', () => api('POST', '/jobs/dry-run', body()));
      const skipped = [c.invalidDeviceNames ? `${c.invalidDeviceNames} invalid name(s)` : '', c.duplicateDeviceNames ? `${c.duplicateDeviceNames} repeated name(s)` : ''].filter(Boolean);
      estimate.replaceChildren(
        c.targets === null ? 'The device count is not known before the job starts.'
          : h('span', {}, (c.complete ? '' : 'At least '), h('strong', { id: 'job-count' }, String(c.targets)), ' device(s) would be targeted now.'),
        skipped.length ? ` Skipped: ${skipped.join(', ')}.` : '', c.note ? ` ${c.note}` : '');
    } catch (e) { estimate.replaceChildren(errorBox(e)); }
  }
  const countButton = h('button', { type: 'button', class: 'secondary', id: 'count-devices', onclick: count }, 'Count devices');
  estimate.before(countButton);
  async function submit(e) {
    e.preventDefault();
    result.replaceChildren();
    try {
      const job = await busy(form.submit, 'Creating…', () => api('POST', '/jobs', body()));
      result.replaceChildren(h('p', { class: 'ok', role: 'status' }, 'Created job ', h('a', { href: '#/jobs/' + enc(job.jobId), id: 'created-job' }, job.jobId)));
      form.elements.clientToken.value = crypto.randomUUID();
      update();
    } catch (err) { showError(result, err); }
  }
  update();
}

function devicePage(params) {
  const product = params.get('product') || '';
  const device = params.get('device') || '';
  const slot = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); location.hash = '#/device' + qs({ product: form.product.value.trim(), device: form.device.value.trim() }); } },
    h('label', {}, 'Product', h('input', { name: 'product', value: product, required: true })),
    h('label', {}, 'Device', h('input', { name: 'device', value: device, required: true })),
    h('button', { type: 'submit' }, 'Show'));
  page('Device', form, slot);
  if (!product || !device) return;
  every(REFRESH_MS, async () => {
    try {
      const path = `/devices/${enc(product)}/${enc(device)}`;
      const [d, history] = await Promise.all([api('GET', path), api('GET', path + '/executions' + qs({ limit: 50 }))]);
      const live = d.liveExecution;
      slot.replaceChildren(h('section', { class: 'panel' },
        h('p', {}, 'Current version ', h('strong', { id: 'device-version' }, d.currentVersion || 'never reported'), ' · last seen ', when(d.lastSeenAt)),
        live ? h('p', { id: 'device-live' }, 'Live update: job ', h('a', { href: '#/jobs/' + enc(live.jobId) }, live.jobId), ' ', badge(live.status),
          ` ${live.percent}% to ${live.targetVersion || ''} (attempt ${live.attempt})`) : h('p', { id: 'device-live' }, 'No live update.')),
        table('History across jobs (newest job first)', ['Job', 'Status', 'From', 'To', { label: 'Code', num: true }, 'Message', { label: 'Attempt', num: true }, 'Updated'],
          history.items.map(x => h('tr', {}, h('td', {}, h('a', { href: '#/jobs/' + enc(x.jobId) }, x.jobId)), h('td', {}, badge(x.status)),
            h('td', {}, x.fromVersion || '—'), h('td', {}, x.targetVersion || '—'), h('td', { class: 'num' }, x.resultCode), h('td', {}, x.resultMsg || ''),
            h('td', { class: 'num' }, x.attempt), h('td', {}, when(x.updatedAt)))), { id: 'device-history' }));
    } catch (e) { showError(slot, e); }
  });
}

// ---- router -----------------------------------------------------------------------------------

function route() {
  timers.forEach(clearInterval); timers = [];
  charts.forEach(c => c.destroy()); charts = [];
  const [path, query] = (location.hash.slice(1) || '/jobs').split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let nav = parts[0] || 'jobs';
  if (parts[0] === 'fleet') fleetPage(params);
  else if (parts[0] === 'firmware') firmwarePage(params);
  else if (parts[0] === 'device') devicePage(params);
  else if (parts[0] === 'jobs' && parts[1] === 'new') { nav = 'new'; createJobPage(); }
  else if (parts[0] === 'jobs' && parts[1]) jobPage(parts[1], params);
  else { nav = 'jobs'; jobsPage(params); }
  document.querySelectorAll('nav a').forEach(a => {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
}

window.addEventListener('hashchange', () => { route(); main.focus({ preventScroll: true }); });
window.addEventListener('DOMContentLoaded', () => { session(); route(); });
