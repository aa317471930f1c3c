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

/** The server's own words for a failed response: problem+json's detail, TGI's error, or OpenAI's error.message. */
async function failure(response) {
  let detail = response.statusText;
  try {
    const body = await response.json();
    detail = (typeof body.error === 'object' && body.error ? body.error.message : body.detail || body.error) || detail;
  } catch (e) { /* not JSON */ }
  return new Error(`${response.status}: ${detail}`);
}

async function json(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** The data of each Server-Sent Event of a streamed response, as it arrives. */
async function* serverSentData(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, {stream: true}).replaceAll('\r\n', '\n');
    const events = buffered.split('\n\n');
    buffered = events.pop();
    for (const block of events) {
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data) yield data;
    }
  }
}

// ---- the model: the picker, the model line and the models panel ----

let info = null; // the picked model's /info
let pickedModel = null; // the picked model's name: every request names it once it is known
let defaultModel = null; // the server's default model (what a request naming none gets)
let modelRequest = 0;

/** A request's JSON body, naming the picked model (once there is one). */
function withModel(body) {
  return pickedModel ? {model: pickedModel, ...body} : body;
}

const modelQuery = (name) => `?model=${encodeURIComponent(name)}`;

/** Lists the served models (from /info) in the picker, and picks the one the address names (?model=), else the default. */
async function loadModels() {
  const served = await json('/info');
  defaultModel = served.model_id;
  const models = Array.isArray(served.models) && served.models.length > 0 ? served.models : [{model_id: served.model_id, default: true}];
  const picker = $('model-picker');
  picker.replaceChildren(...models.map((m) => {
    const option = document.createElement('option');
    option.value = m.model_id;
    option.textContent = m.default ? `${m.model_id} (default)` : m.model_id;
    return option;
  }));
  const named = new URLSearchParams(location.search).get('model');
  const name = models.some((m) => m.model_id === named) ? named : defaultModel;
  if (named !== null && named !== name) addressModel(name); // one not served (any more): the address stops naming it
  picker.value = name;
  picker.disabled = false;
  // what was drawn before this (no model named) was the default model's already
  await useModel(name, name === defaultModel ? served : null, name !== defaultModel);
}

/** Makes the named model the one the views, the next-character chart and the models panel use. */
async function useModel(name, known, redraw = true) {
  const asked = ++modelRequest;
  pickedModel = name;
  if (!known) $('model-line').textContent = `loading ${name}…`;
  const details = known ?? await json(`/info${modelQuery(name)}`);
  if (asked !== modelRequest) return; // another model was picked meanwhile
  info = details;
  showTemplateSource();
  if (typeof info.vocabulary === 'string' && info.vocabulary) $('grammar-vocabulary').replaceChildren(...vocabularyText(info.vocabulary));
  // the model's default speakers, unless they were changed already
  for (const [role, id] of [['user', 'chat-user-name'], ['assistant', 'chat-assistant-name']]) {
    const speaker = info.chat_speakers?.[role];
    if (speaker && $(id).value === $(id).defaultValue) $(id).value = $(id).defaultValue = speaker;
  }
  $('model-line').textContent = `${info.model_id} ${info.model_version} · ${info.parameter_count.toLocaleString()} parameters · `
    + `context ${info.block_size} · validation loss ${info.val_loss?.toFixed(4) ?? 'n/a'}`;
  if (redraw) {
    if ($('chat-view').hidden) drawNextChart(); else schedulePrompt(0); // the chat's prompt redraws the chart when rendered
  }
  document.dispatchEvent(new CustomEvent('folio:model', {detail: name})); // the Inside view reads the new model
  await showModelsPanel(name, asked);
}

/** The picked model's versions (/models?model=) and its latest training run's loss curves (/training/runs?model=). */
async function showModelsPanel(name, asked) {
  const models = await json(`/models${modelQuery(name)}`);
  if (asked !== modelRequest) return;
  $('versions-model').textContent = name;
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
  let runs = (await json(`/training/runs${modelQuery(name)}`)).filter((r) => r.model === undefined || r.model === name);
  if (name !== defaultModel && runs.length > 0) {
    // a server that does not know ?model= here answers with its default model's runs: not this model's to chart
    const defaults = new Set((await json('/training/runs')).map((r) => r.id));
    if (runs.some((r) => defaults.has(r.id))) runs = null;
  }
  if (asked !== modelRequest) return;
  const run = runs?.find((r) => r.curve && r.curve.length > 0);
  if (run) {
    $('run-line').textContent = `run ${run.id} (${run.mode}, ${run.status}${run.published_version ? ' → ' + run.published_version : ''})`;
    drawLossChart(run.curve);
  } else {
    $('run-line').textContent = runs ? `no training run of ${name} recorded yet`
      : `this server charts only its default model's training runs (${defaultModel}'s)`;
    $('loss-chart').replaceChildren();
  }
}

/** The address keeps the choice (?model=, none for the default), so a reload or a link keeps it too. */
function addressModel(name) {
  const url = new URL(location.href);
  if (name === defaultModel) url.searchParams.delete('model'); else url.searchParams.set('model', name);
  history.replaceState(null, '', url);
}

function pickModel() {
  const name = $('model-picker').value;
  addressModel(name);
  useModel(name).catch((e) => { $('model-line').textContent = `could not load ${name}: ${e.message}`; });
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

let nextTimer = null, nextRequest = 0;
function scheduleNextChart() {
  clearTimeout(nextTimer);
  nextTimer = setTimeout(drawNextChart, 250);
}

async function drawNextChart() {
  // in the chat view: after the scene as the template renders it, that is, how the model's speech would begin
  const text = !$('chat-view').hidden ? chat.rendered : !$('inside-view').hidden ? $('inside-text').value : $('prompt').value;
  const chart = $('next-chart');
  const asked = ++nextRequest;
  if (!text) { chart.replaceChildren(); return; }
  let scores;
  try {
    scores = await json('/logits', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(withModel({inputs: text.slice(-16384), positions: 'last', top_n: 10}))});
  } catch (e) {
    if (asked === nextRequest) chart.replaceChildren(svgElement('text', {x: 4, y: 16}, e.message.slice(0, 60)));
    return;
  }
  if (asked !== nextRequest) return; // a later text's chart is on its way
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
  // the penalties and the grammar only when set to something other than their neutral values
  const repetition = number('repetition-penalty'), frequency = number('frequency-penalty'), typical = number('typical-p');
  if (repetition !== undefined && repetition !== 1) params.repetition_penalty = repetition;
  if (frequency !== undefined && frequency !== 0) params.frequency_penalty = frequency;
  if (typical !== undefined && typical < 1) params.typical_p = typical;
  if ($('grammar').value !== '') params.grammar = {type: 'regex', value: $('grammar').value};
  const stops = $('stop').value.split('|').map((s) => s.replaceAll('\\n', '\n')).filter((s) => s.length > 0);
  if (stops.length) params.stop = stops;
  return params;
}

/** Shows a generated token as a tinted character; a special token (the end of a grammar's match) shows as nothing. */
function appendToken(event) {
  const token = event.token;
  if (token.special) return false;
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
  return true;
}

/** How a generation ended, for the status line. */
function finishText(reason, grammar) {
  if (grammar && reason === 'eos_token') return 'finish: eos_token (grammar complete)';
  if (grammar && reason === 'length') return 'finish: length (cut off by the max tokens: the text may not match the grammar yet)';
  return `finish: ${reason}`;
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

/** A field the browser refuses (out of its range, say) is named in the status line, with the browser's reason. */
let refused = [];
function refuse(event) {
  const label = event.target.closest('label');
  const name = label ? label.firstChild.textContent.trim() : event.target.id;
  if (refused.length === 0) setTimeout(() => { $('status').textContent = `not sent: ${refused.join('; ')}`; refused = []; });
  refused.push(`${name}: ${event.target.validationMessage}`);
}

/** The model's vocabulary, for the grammar's hint: whitespace by name, then the marks, then runs of letters as ranges. */
function vocabularyText(vocabulary) {
  const names = {'\n': 'newline', ' ': 'space', '\t': 'tab'};
  const alphanumeric = (c) => /^[A-Za-z0-9]$/.test(c);
  const chars = [...new Set(vocabulary)].sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
  const spaces = [], marks = [], ranges = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (names[c]) { spaces.push(names[c]); continue; }
    let j = i;
    while (alphanumeric(c) && j + 1 < chars.length && alphanumeric(chars[j + 1])
      && chars[j + 1].codePointAt(0) === chars[j].codePointAt(0) + 1) j++;
    if (j - i >= 2) {
      ranges.push(`${c}–${chars[j]}`);
      i = j;
    } else {
      marks.push(c);
    }
  }
  const code = document.createElement('code');
  code.textContent = marks.join('');
  const items = [...spaces, ...(marks.length ? [code] : []), ...ranges];
  return items.flatMap((item, i) => (i === 0 ? [item] : [i === items.length - 1 ? ' and ' : ', ', item]));
}

function hideAlternatives() {
  $('alternatives').hidden = true;
}

async function generate(event) {
  event.preventDefault();
  const prompt = $('prompt').value;
  const params = parameters();
  const writer = pickedModel; // the model writing this, though another be picked meanwhile
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
      body: JSON.stringify(withModel({inputs: prompt, parameters: params}))});
    if (!response.ok) throw await failure(response);
    const version = response.headers.get('X-Folio-Model-Version');
    const by = [writer, version].filter(Boolean).join(' ');
    for await (const data of serverSentData(response)) {
      const message = JSON.parse(data);
      if (message.error) throw new Error(message.error);
      if (appendToken(message)) count++;
      if (message.details) {
        $('status').textContent = `${count} tokens in ${((performance.now() - started) / 1000).toFixed(2)} s · `
          + `${finishText(message.details.finish_reason, params.grammar)} · seed ${message.details.seed}${by ? ' · ' + by : ''}`;
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

// ---- tabs: Write / Chat ----

const VIEWS = ['write', 'chat', 'inside'];
const NEXT_CAPTIONS = {
  write: 'What the model expects after the prompt, from <code>/logits</code>; updates as you type.',
  chat: 'How the model\'s next speech would begin: what it expects after the scene as the template renders it, from <code>/logits</code>.',
  inside: 'What the model expects after the Inside view\'s text, from <code>/logits</code>: the logit lens\'s last column.',
};

function selectView(name, focus) {
  for (const view of VIEWS) {
    const selected = view === name;
    $(`tab-${view}`).setAttribute('aria-selected', String(selected));
    $(`tab-${view}`).tabIndex = selected ? 0 : -1;
    $(`${view}-view`).hidden = !selected;
  }
  if (focus) $(`tab-${name}`).focus();
  hideAlternatives();
  $('next-caption').innerHTML = NEXT_CAPTIONS[name];
  if (name === 'chat') schedulePrompt(0); else drawNextChart();
  document.dispatchEvent(new CustomEvent('folio:view', {detail: name}));
  const hash = name === 'write' ? '' : `#${name}`;
  if (location.hash !== hash) history.replaceState(null, '', location.pathname + location.search + hash);
}

/** Arrow keys, Home and End move between the tabs (and select them), as in WAI-ARIA's tabs pattern. */
function tabKeys(event) {
  const at = VIEWS.findIndex((view) => $(`tab-${view}`) === document.activeElement);
  if (at < 0) return;
  const to = {ArrowRight: at + 1, ArrowLeft: at - 1 + VIEWS.length, Home: 0, End: VIEWS.length - 1}[event.key];
  if (to === undefined) return;
  event.preventDefault();
  selectView(VIEWS[to % VIEWS.length], true);
}

// ---- chat: the conversation as a play script ----

const chat = {messages: [], abort: null, speaking: null, scene: 0, rendered: ''};

function speakerName(id) {
  return $(id).value.trim();
}

/** A speech: the speaker's name on its own line, then what they say. */
function speechElement(message) {
  const element = document.createElement('div');
  element.className = `speech ${message.role}`;
  const speaker = document.createElement('p');
  speaker.className = 'speaker';
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = `${message.name}:`;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = message.role === 'user' ? '(you)' : '(the model)';
  speaker.append(name, who);
  const lines = document.createElement('p');
  lines.className = 'lines';
  lines.textContent = message.content;
  element.append(speaker, lines);
  return element;
}

function addNote(message, text) {
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = text;
  message.element.append(note);
}

function showDirection() {
  const direction = $('chat-system').value.trim();
  $('chat-direction').textContent = direction;
  $('chat-direction').hidden = !direction;
}

function showScene() {
  $('chat-empty').hidden = $('chat-speeches').childElementCount > 0;
}

/** Keeps the latest speech in sight unless the reader has scrolled up to an earlier one. */
function followScript(wasAtBottom) {
  const box = $('chat-script');
  if (wasAtBottom) box.scrollTop = box.scrollHeight;
}

function atBottom() {
  const box = $('chat-script');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 48;
}

/** The messages of the conversation so far (the stage direction first, as the system message). */
function conversation() {
  const direction = $('chat-system').value.trim();
  const messages = direction ? [{role: 'system', content: direction}] : [];
  return messages.concat(chat.messages.map(({role, name, content}) => ({role, name, content})));
}

/**
 * The messages to send for the model's next speech, spoken as the given name. The play-script template gives the
 * reply to the last named assistant message's speaker, else to the server's default (chat_speakers in /info); when
 * that is someone else, an assistant message of no words names the speaker (the template leaves it out of the text).
 */
function forReply(messages, model) {
  const named = messages.filter((m) => m.role === 'assistant' && m.name).at(-1);
  const next = named ? named.name : info?.chat_speakers?.assistant;
  return next === model ? messages : messages.concat({role: 'assistant', name: model, content: ''});
}

function chatRequest(messages, stream) {
  const number = (id) => $(id).value === '' ? undefined : Number($(id).value);
  const request = {model: pickedModel ?? undefined, messages, max_tokens: number('chat-max-tokens'),
    temperature: number('chat-temperature'), top_p: number('chat-top-p'), seed: number('chat-seed')};
  if (stream) {
    request.stream = true;
    request.stream_options = {include_usage: true};
  }
  return JSON.stringify(request);
}

function chatBusy(busy) {
  $('chat-send').disabled = busy;
  $('chat-stop').disabled = !busy;
  $('chat-speeches').setAttribute('aria-busy', String(busy));
}

/** Sends the user's line and streams the model's reply in under the model's name. */
async function sendChat(event) {
  event.preventDefault();
  if (chat.abort) return;
  const you = speakerName('chat-user-name'), model = speakerName('chat-assistant-name');
  const text = $('chat-message').value.replace(/\s+$/, '');
  if (!you || !model) {
    $('chat-status').textContent = 'Name both speakers first.';
    $(you ? 'chat-assistant-name' : 'chat-user-name').focus();
    return;
  }
  if (!text.trim()) {
    $('chat-status').textContent = `Type a line for ${you} to say first.`;
    $('chat-message').focus();
    return;
  }
  const scene = chat.scene;
  const line = {role: 'user', name: you, content: text};
  line.element = speechElement(line);
  chat.messages.push(line);
  const messages = forReply(conversation(), model);
  const reply = {role: 'assistant', name: model, content: ''};
  reply.element = speechElement(reply);
  reply.element.classList.add('streaming');
  const lines = reply.element.querySelector('.lines');
  $('chat-speeches').append(line.element, reply.element);
  showScene();
  followScript(true);
  $('chat-message').value = '';
  $('chat-message').focus();
  chatBusy(true);
  $('chat-status').textContent = `${model} is speaking…`;
  chat.abort = new AbortController();
  chat.speaking = model;
  schedulePrompt(0); // the prompt being answered
  let count = 0, finish = null, usage = null;
  const started = performance.now();
  try {
    const response = await fetch('/v1/chat/completions', {method: 'POST', signal: chat.abort.signal,
      headers: {'Content-Type': 'application/json', 'Accept': 'text/event-stream, application/json'}, body: chatRequest(messages, true)});
    if (!response.ok) throw await failure(response);
    for await (const data of serverSentData(response)) {
      if (data === '[DONE]') break;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message || chunk.error);
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices || []) {
        if (choice.delta?.content) {
          const bottom = atBottom();
          reply.content += choice.delta.content;
          lines.textContent = reply.content;
          count++;
          followScript(bottom);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    chat.messages.push(reply);
    if (!reply.content) addNote(reply, '(says nothing)');
    if (finish === 'length') addNote(reply, '(cut off: the max tokens were reached mid-speech)');
    const tokens = usage ? usage.completion_tokens : count;
    $('chat-status').textContent = `${tokens} tokens in ${((performance.now() - started) / 1000).toFixed(2)} s, finish: ${finish ?? 'unknown'}`
      + (usage ? ` · prompt ${usage.prompt_tokens} tokens` : '');
  } catch (e) {
    if (scene !== chat.scene) return; // cleared meanwhile
    if (e.name === 'AbortError' && reply.content) {
      chat.messages.push(reply);
      addNote(reply, '(stopped)');
      $('chat-status').textContent = `stopped after ${count} tokens`;
    } else {
      // nothing was said: take the line back, so it can be mended and sent again
      chat.messages.splice(chat.messages.indexOf(line), 1);
      line.element.remove();
      reply.element.remove();
      if (!$('chat-message').value) $('chat-message').value = text;
      $('chat-status').textContent = e.name === 'AbortError' ? 'stopped before the model said anything' : `error: ${e.message}`;
    }
  } finally {
    reply.element.classList.remove('streaming');
    if (scene === chat.scene) {
      chat.abort = null;
      chatBusy(false);
      showScene();
      if (document.activeElement === document.body || document.activeElement === $('chat-stop')) $('chat-message').focus();
      schedulePrompt(0);
    }
  }
}

function clearChat() {
  chat.scene++;
  if (chat.abort) chat.abort.abort();
  chat.abort = null;
  chat.messages = [];
  $('chat-speeches').replaceChildren();
  chatBusy(false);
  showScene();
  $('chat-status').textContent = 'Cleared: a new scene.';
  $('chat-message').focus();
  schedulePrompt(0);
}

/** Enter sends the line, Shift+Enter starts a new one. */
function chatKeys(event) {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  $('chat-form').requestSubmit();
}

// ---- chat: the template and the prompt it renders ----

function showTemplateSource() {
  $('chat-template-source').textContent = typeof info?.chat_template === 'string' ? info.chat_template
    : info ? 'The server\'s /info names no chat_template.' : 'loading…';
}

let promptTimer = null, promptRequest = 0;
function schedulePrompt(delay = 250) {
  if ($('chat-view').hidden) return;
  clearTimeout(promptTimer);
  promptTimer = setTimeout(renderPrompt, delay);
}

/** Asks /chat_tokenize for the exact text the template makes of the conversation (and the draft line, if any). */
async function renderPrompt() {
  const asked = ++promptRequest;
  const messages = conversation();
  const draft = $('chat-message').value.replace(/\s+$/, '');
  const you = speakerName('chat-user-name');
  if (draft.trim() && !chat.abort) messages.push({role: 'user', name: you, content: draft});
  const model = chat.abort ? chat.speaking : speakerName('chat-assistant-name');
  const caption = $('chat-prompt-caption'), prompt = $('chat-prompt');
  if (!messages.some((m) => m.role !== 'system')) {
    caption.textContent = 'Nothing to render yet: type a line (the prompt follows your draft as you type).';
    prompt.textContent = chat.rendered = '';
    drawNextChart();
    return;
  }
  const what = chat.abort ? 'The prompt the model is answering now'
    : draft.trim() ? 'The scene so far with your draft line, as Send will give it to the model'
      : 'The scene so far, as the template renders it for the model\'s next speech';
  try {
    const rendered = await json('/chat_tokenize', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: chatRequest(model ? forReply(messages, model) : messages, false)});
    if (asked !== promptRequest) return;
    const tokens = rendered.tokenize_response?.length;
    const context = info?.block_size;
    caption.textContent = `${what}, ending with the generation prompt (the name of the model's speaker)`
      + (tokens !== undefined ? `: ${tokens} tokens` : '')
      + (tokens > context ? `, of which the model sees the last ${context}.` : '.');
    prompt.textContent = chat.rendered = rendered.templated_text;
  } catch (e) {
    if (asked !== promptRequest) return;
    caption.textContent = `could not render the prompt: ${e.message}`;
    prompt.textContent = chat.rendered = '';
  }
  drawNextChart();
}

$('tab-write').addEventListener('click', () => selectView('write'));
$('tab-chat').addEventListener('click', () => selectView('chat'));
$('tab-inside').addEventListener('click', () => selectView('inside'));
document.querySelector('[role="tablist"]').addEventListener('keydown', tabKeys);
/** The view the address names (#chat, #inside), else Write. */
const addressedView = () => VIEWS.find((view) => `#${view}` === location.hash) ?? 'write';
window.addEventListener('hashchange', () => selectView(addressedView()));
$('chat-form').addEventListener('submit', sendChat);
$('chat-message').addEventListener('keydown', chatKeys);
$('chat-stop').addEventListener('click', () => chat.abort && chat.abort.abort());
$('chat-clear').addEventListener('click', clearChat);
$('chat-system').addEventListener('input', () => { showDirection(); schedulePrompt(); });
for (const id of ['chat-message', 'chat-user-name', 'chat-assistant-name']) $(id).addEventListener('input', () => schedulePrompt());
$('chat-template').addEventListener('toggle', showTemplateSource);
if (addressedView() !== 'write') selectView(addressedView());
showDirection();
showScene();

$('model-picker').addEventListener('change', pickModel);
$('generate-form').addEventListener('submit', generate);
$('generate-form').addEventListener('invalid', refuse, true); // invalid does not bubble
$('stop-button').addEventListener('click', () => abort && abort.abort());
$('prompt').addEventListener('input', scheduleNextChart);
$('output').addEventListener('mouseover', (e) => e.target.classList.contains('tok') && showAlternatives(e.target));
$('output').addEventListener('mouseout', (e) => e.target.classList.contains('tok') && hideAlternatives());
$('output').addEventListener('focusin', (e) => e.target.classList.contains('tok') && showAlternatives(e.target));
$('output').addEventListener('focusout', hideAlternatives);
document.addEventListener('keydown', (e) => e.key === 'Escape' && hideAlternatives());

loadModels().catch((e) => { $('model-line').textContent = `could not load the model: ${e.message}`; });
drawNextChart();
