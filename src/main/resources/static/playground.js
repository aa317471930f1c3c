// Folio's playground: plain JavaScript over Folio's public HTTP API (no libraries, no build step).
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
let abort = null;

/** Renders a character so whitespace is visible where it matters. */
function shown(text) {
  return text === '\n' ? '↵' : text === ' ' ? '␣' : text;
}

/** Red (unlikely) to green (likely), by probability. */
function tint(probability) {
  return `hsl(${Math.round(120 * probability)}, 70%, 82%)`;
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

async function json(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(`${response.status}: ${detail}`);
  }
  return response.json();
}

// ---- model line and models panel ----

async function loadModels() {
  const info = await json('/info');
  $('model-line').textContent = `${info.model_id} ${info.model_version} · ${info.parameter_count.toLocaleString()} parameters · `
    + `context ${info.block_size} · validation loss ${info.val_loss?.toFixed(4) ?? 'n/a'}`;
  const models = await json('/models');
  const list = $('versions');
  list.replaceChildren(...models.versions.map((v) => {
    const item = document.createElement('li');
    item.textContent = `${v.version} · val loss ${v.val_loss?.toFixed(4) ?? 'n/a'} · ${v.status}`;
    if (v.served) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'served';
      item.append(badge);
    }
    return item;
  }));
  const runs = await json('/training/runs');
  const run = runs.find((r) => r.curve && r.curve.length > 0);
  if (run) {
    $('run-line').textContent = `run ${run.id} (${run.mode}, ${run.status}${run.published_version ? ' → ' + run.published_version : ''})`;
    drawLossChart(run.curve);
  } else {
    $('run-line').textContent = 'no training run recorded yet';
  }
}

/** Train loss (every logged step) as a line, validation loss as dots, against step. */
function drawLossChart(curve) {
  const chart = $('loss-chart');
  const width = 320, height = 200, left = 34, bottom = 22, top = 8, right = 8;
  const train = curve.filter((p) => p.train_loss !== undefined);
  const val = curve.filter((p) => p.val_loss !== undefined);
  const steps = curve.map((p) => p.step);
  const losses = [...train.map((p) => p.train_loss), ...val.map((p) => p.val_loss)];
  const maxStep = Math.max(...steps), minLoss = Math.min(...losses), maxLoss = Math.max(...losses);
  const x = (s) => left + (s / maxStep) * (width - left - right);
  const y = (l) => top + (1 - (l - minLoss) / Math.max(1e-6, maxLoss - minLoss)) * (height - top - bottom);
  const parts = [
    svgElement('line', {class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom}),
    svgElement('line', {class: 'axis', x1: left, y1: top, x2: left, y2: height - bottom}),
    svgElement('text', {x: left - 4, y: top + 8, 'text-anchor': 'end'}, maxLoss.toFixed(2)),
    svgElement('text', {x: left - 4, y: height - bottom, 'text-anchor': 'end'}, minLoss.toFixed(2)),
    svgElement('text', {x: width - right, y: height - 6, 'text-anchor': 'end'}, `step ${maxStep}`),
  ];
  if (train.length > 1) {
    parts.push(svgElement('polyline', {class: 'train', points: train.map((p) => `${x(p.step).toFixed(1)},${y(p.train_loss).toFixed(1)}`).join(' ')}));
  }
  for (const p of val) {
    const dot = svgElement('circle', {class: 'val', cx: x(p.step), cy: y(p.val_loss), r: 3.5});
    dot.append(svgElement('title', {}, `step ${p.step}: validation loss ${p.val_loss.toFixed(4)}`));
    parts.push(dot);
  }
  chart.replaceChildren(...parts);
}

// ---- next-character chart ----

let nextTimer = null;
function scheduleNextChart() {
  clearTimeout(nextTimer);
  nextTimer = setTimeout(drawNextChart, 250);
}

async function drawNextChart() {
  const text = $('prompt').value;
  const chart = $('next-chart');
  if (!text) { chart.replaceChildren(); return; }
  let scores;
  try {
    scores = await json('/logits', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({inputs: text.slice(-16384), positions: 'last', top_n: 10})});
  } catch (e) {
    chart.replaceChildren(svgElement('text', {x: 4, y: 16}, e.message.slice(0, 60)));
    return;
  }
  const top = scores.positions[0].top;
  const barHeight = 20, labelWidth = 34, width = 320;
  chart.replaceChildren(...top.flatMap((t, i) => {
    const p = Math.exp(t.logprob);
    const y = 4 + i * (barHeight + 2);
    return [
      svgElement('text', {class: 'label', x: labelWidth - 6, y: y + 14, 'text-anchor': 'end'}, shown(t.text)),
      svgElement('rect', {class: 'bar', x: labelWidth, y, height: barHeight, width: Math.max(1, p * (width - labelWidth - 44))}),
      svgElement('text', {x: labelWidth + Math.max(1, p * (width - labelWidth - 44)) + 4, y: y + 14}, `${(100 * p).toFixed(1)}%`),
    ];
  }));
  chart.setAttribute('aria-label', 'Top next characters: ' + top.map((t) => `${shown(t.text)} ${(100 * Math.exp(t.logprob)).toFixed(0)}%`).join(', '));
}

// ---- generation ----

function parameters() {
  const number = (id) => $(id).value === '' ? undefined : Number($(id).value);
  const params = {max_new_tokens: number('max-tokens'), do_sample: true, temperature: number('temperature'),
    top_n_tokens: 5, details: true};
  if (number('top-k') > 0) params.top_k = number('top-k');
  if (number('top-p') !== undefined && number('top-p') < 1) params.top_p = number('top-p');
  if (number('seed') !== undefined) params.seed = number('seed');
  const stops = $('stop').value.split('|').map((s) => s.replaceAll('\\n', '\n')).filter((s) => s.length > 0);
  if (stops.length) params.stop = stops;
  return params;
}

function appendToken(event) {
  const token = event.token;
  const span = document.createElement('span');
  span.className = 'tok';
  span.textContent = token.text;
  span.tabIndex = 0;
  const probability = Math.exp(token.logprob);
  span.dataset.prob = probability.toFixed(4);
  span.dataset.alternatives = JSON.stringify((event.top_tokens || []).map((t) => [t.text, Math.exp(t.logprob)]));
  span.style.background = tint(probability);
  span.setAttribute('aria-label', `${shown(token.text)}, probability ${(100 * probability).toFixed(1)} percent`);
  $('output-generated').append(span);
}

function showAlternatives(span) {
  const box = $('alternatives');
  const alternatives = JSON.parse(span.dataset.alternatives || '[]');
  const rows = alternatives.map(([text, p]) => {
    const row = document.createElement('tr');
    if (text === span.textContent) row.className = 'chosen';
    const cells = [shown(text), `${(100 * p).toFixed(1)}%`].map((value) => {
      const cell = document.createElement('td');
      cell.textContent = value;
      return cell;
    });
    row.append(...cells);
    return row;
  });
  const table = document.createElement('table');
  table.append(...rows);
  const caption = document.createElement('div');
  caption.className = 'muted small';
  caption.textContent = `chose ${shown(span.textContent)} (${(100 * Number(span.dataset.prob)).toFixed(1)}%); the model considered:`;
  box.replaceChildren(caption, table);
  const rect = span.getBoundingClientRect();
  box.style.left = `${window.scrollX + rect.left}px`;
  box.style.top = `${window.scrollY + rect.bottom + 4}px`;
  box.hidden = false;
}

function hideAlternatives() {
  $('alternatives').hidden = true;
}

async function generate(event) {
  event.preventDefault();
  const prompt = $('prompt').value;
  $('output-prompt').textContent = prompt;
  $('output-generated').replaceChildren();
  $('generate').disabled = true;
  $('stop-button').disabled = false;
  $('status').textContent = 'generating…';
  abort = new AbortController();
  let count = 0;
  const started = performance.now();
  try {
    const response = await fetch('/generate_stream', {method: 'POST', signal: abort.signal,
      headers: {'Content-Type': 'application/json', 'Accept': 'text/event-stream'},
      body: JSON.stringify({inputs: prompt, parameters: parameters()})});
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || `${response.status} ${response.statusText}`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, {stream: true});
      const events = buffered.split('\n\n');
      buffered = events.pop();
      for (const block of events) {
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('');
        if (!data) continue;
        const message = JSON.parse(data);
        if (message.error) throw new Error(message.error);
        appendToken(message);
        count++;
        if (message.details) {
          $('status').textContent = `${count} tokens in ${((performance.now() - started) / 1000).toFixed(2)} s · `
            + `${message.details.finish_reason} · seed ${message.details.seed}`;
        }
      }
    }
  } catch (e) {
    $('status').textContent = e.name === 'AbortError' ? `stopped after ${count} tokens` : `error: ${e.message}`;
  } finally {
    $('generate').disabled = false;
    $('stop-button').disabled = true;
    abort = null;
  }
}

$('generate-form').addEventListener('submit', generate);
$('stop-button').addEventListener('click', () => abort && abort.abort());
$('prompt').addEventListener('input', scheduleNextChart);
$('output').addEventListener('mouseover', (e) => e.target.classList.contains('tok') && showAlternatives(e.target));
$('output').addEventListener('mouseout', (e) => e.target.classList.contains('tok') && hideAlternatives());
$('output').addEventListener('focusin', (e) => e.target.classList.contains('tok') && showAlternatives(e.target));
$('output').addEventListener('focusout', hideAlternatives);
document.addEventListener('keydown', (e) => e.key === 'Escape' && hideAlternatives());

loadModels().catch((e) => { $('model-line').textContent = `could not load the model: ${e.message}`; });
drawNextChart();
