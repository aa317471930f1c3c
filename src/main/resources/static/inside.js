// The playground's Inside view: the served model's attention, LayerNorm, logit lens, embeddings and what-ifs, read
// from Folio's /inspect routes (docs/inspect.md) and drawn in SVG and canvas. Plain JavaScript, no libraries; it uses
// playground.js's helpers ($, json, withModel, shown, tint, svgElement) and hears its 'folio:view'/'folio:model' events.
'use strict';

const Inside = (() => {
  const ACCENT = [52, 85, 219], WARM = [217, 72, 15];
  const state = {
    run: 0, // the latest run's number: an older run's late answers are dropped
    text: '', config: null, tokens: [], version: '', patterns: null,
    layer: 0, head: 0, query: 0,
    details: new Map(), // `${layer}.${head}.${layernorm}` → the step-by-step and LayerNorm tensors
    embeddings: null, embeddingsOf: null, lens: null, stale: true,
  };

  // ---- talking to the server: one inspection at a time (the server runs them on a small pool of its own) ----

  let line = Promise.resolve();
  function inspect(path, body) {
    const version = state.versionAsked ? {version: state.versionAsked} : {};
    const answer = line.then(() => json(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(withModel({inputs: state.text, ...version, ...body}))}));
    line = answer.catch(() => {});
    return answer;
  }

  /** A tensor of an answer as {shape, data}: data a flat Float32Array in shape order (json or float32 encoding). */
  function tensor(answer, name) {
    const t = answer.tensors[name];
    if (!t) throw new Error(`the answer holds no ${name}`);
    if (t.encoding === 'json') return {shape: t.shape, data: Float32Array.from(t.data.flat(Infinity))};
    const bytes = Uint8Array.from(atob(t.data), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const data = new Float32Array(bytes.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true); // little-endian on the wire
    return {shape: t.shape, data};
  }

  /** The value at an index of a {shape, data} tensor. */
  function at(t, ...index) {
    let offset = 0;
    for (let i = 0; i < index.length; i++) offset = offset * t.shape[i] + index[i];
    return t.data[offset];
  }

  const said = (text) => text === '\n' ? 'newline' : text === ' ' ? 'space' : `“${text}”`;
  const percent = (p) => `${(100 * p).toFixed(1)}%`;

  /** Blue for positive values, orange for negative, stronger with magnitude (relative to scale). */
  function heat(value, scale, colour = ACCENT) {
    const [r, g, b] = value < 0 ? WARM : colour;
    const a = Math.min(1, Math.abs(value) / (scale || 1));
    return `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})`;
  }

  /** Dark text on light cells, white on dark ones. */
  const ink = (strength) => strength > 0.55 ? '#fff' : '';

  /** Arrow keys, Home and End move the focus within a group, which is one stop for Tab (WAI-ARIA's roving tabindex). */
  function rove(container, selector, columns = () => 1) {
    container.addEventListener('keydown', (event) => {
      const items = [...container.querySelectorAll(selector)];
      const from = items.indexOf(event.target);
      if (from < 0) return;
      const to = {ArrowRight: from + 1, ArrowLeft: from - 1, ArrowDown: from + columns(), ArrowUp: from - columns(),
        Home: 0, End: items.length - 1}[event.key];
      if (to === undefined) return;
      event.preventDefault();
      if (to >= 0 && to < items.length) items[to].focus();
    });
    container.addEventListener('focusin', (event) => {
      if (!event.target.matches(selector)) return;
      for (const item of container.querySelectorAll(selector)) item.tabIndex = item === event.target ? 0 : -1;
    });
  }

  function status(text) {
    $('inside-status').textContent = text;
  }

  // ---- a run: the text in, every part drawn ----

  async function run() {
    const text = $('inside-text').value;
    if (!text) { status('Type a text first.'); return; }
    const asked = ++state.run;
    state.stale = false;
    state.text = text;
    state.versionAsked = $('inside-version').value;
    status('reading the model…');
    const started = performance.now();
    try {
      const answer = await inspect('/inspect', {hooks: ['blocks.*.attn.hook_pattern'], encoding: 'float32', top_k: 5});
      if (asked !== state.run) return;
      state.config = answer.config;
      state.tokens = answer.tokens;
      state.version = answer.model_version;
      state.patterns = Array.from({length: answer.config.n_layer}, (_, l) => tensor(answer, `blocks.${l}.attn.hook_pattern`));
      state.details.clear();
      state.layer = Math.min(state.layer, state.config.n_layer - 1);
      state.head = Math.min(state.head, state.config.n_head - 1);
      state.query = state.tokens.length - 1;
      const c = answer.config;
      $('inside-read').textContent = `read ${answer.model_version} · ${c.n_layer} layers × ${c.n_head} heads · d_model ${c.d_model}`
        + ` · d_head ${c.d_head} · ${state.tokens.length} characters`;
      fillPickers();
      drawChars();
      drawThumbs();
      showAttention(state.query);
    } catch (e) {
      if (asked === state.run) status(`error: ${e.message}`);
      return;
    }
    const parts = [showDetail, showLens, showWhatIf, showEmbeddings];
    const failed = [];
    for (const part of parts) {
      try { await part(asked); } catch (e) { failed.push(e.message); }
      if (asked !== state.run) return;
    }
    status(failed.length ? `error: ${failed[0]}` : `read in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  }

  function fillPickers() {
    const {n_layer: layers, n_head: heads} = state.config;
    const norms = [];
    for (let l = 0; l < layers; l++) {
      norms.push([`blocks.${l}.ln1`, `blocks.${l}.ln1: before layer ${l}'s attention`]);
      norms.push([`blocks.${l}.ln2`, `blocks.${l}.ln2: before layer ${l}'s MLP`]);
    }
    norms.push(['ln_final', 'ln_final: before the unembedding']);
    const options = (select, pairs) => {
      const kept = select.value;
      select.replaceChildren(...pairs.map(([value, label]) => Object.assign(document.createElement('option'), {value, textContent: label})));
      if (pairs.some(([value]) => value === kept)) select.value = kept;
    };
    options($('ln-picker'), norms);
    options($('wi-skip-ln-which'), norms);
    const headPairs = [];
    for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) headPairs.push([`${l}.${h}`, `layer ${l}, head ${h}`]);
    options($('wi-ablate-head'), headPairs);
  }

  // ---- attention: the text's characters, tinted by what the focused one attends to ----

  function drawChars() {
    $('attention-chars').replaceChildren(...state.tokens.map((token, i) => {
      const cell = document.createElement('button');
      cell.type = 'button';
      cell.className = 'ch';
      cell.textContent = shown(token.text);
      cell.dataset.position = i;
      cell.tabIndex = i === state.query ? 0 : -1;
      return cell;
    }));
  }

  /** What one position attends to in the picked layer and head: each character's weight (0 for later ones). */
  function showAttention(query) {
    const pattern = state.patterns[state.layer];
    const cells = $('attention-chars').children;
    const weights = [];
    for (let k = 0; k < cells.length; k++) weights.push(k <= query ? at(pattern, state.head, query, k) : 0);
    const most = Math.max(...weights); // shaded relative to the row's largest weight, so a spread-out row still shows
    for (let k = 0; k < cells.length; k++) {
      const w = weights[k];
      const cell = cells[k];
      cell.dataset.weight = String(w);
      cell.title = k > query ? 'later: masked' : percent(w);
      cell.style.background = k === query ? '' : heat(w, most);
      cell.style.color = ink(w / most);
      cell.classList.toggle('query', k === query);
      cell.classList.toggle('future', k > query);
      cell.setAttribute('aria-label', k === query
        ? `position ${k}, ${said(state.tokens[k].text)}: the query, ${percent(w)} of its attention on itself`
        : `position ${k}, ${said(state.tokens[k].text)}: ${k > query ? 'later, masked' : percent(w) + ' of the attention'}`);
    }
    const top = weights.map((w, k) => [w, k]).filter(([, k]) => k <= query).sort((a, b) => b[0] - a[0]).slice(0, 3);
    $('attention-which').textContent = `layer ${state.layer}, head ${state.head}`;
    $('attention-caption').textContent = `${said(state.tokens[query].text)} at position ${query} attends most to `
      + top.map(([w, k]) => `${said(state.tokens[k].text)} (${k}) ${percent(w)}`).join(', ')
      + `; the characters after it get nothing (the causal mask).`;
  }

  /** One canvas a layer and head, query down and key across, each pixel as dark as its weight. */
  function drawThumbs() {
    const {n_layer: layers, n_head: heads} = state.config;
    const n = state.tokens.length;
    const thumbs = [];
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'thumb';
        button.dataset.layer = l;
        button.dataset.head = h;
        button.tabIndex = l === state.layer && h === state.head ? 0 : -1;
        button.setAttribute('aria-pressed', String(l === state.layer && h === state.head));
        button.setAttribute('aria-label', `layer ${l}, head ${h}: ${patternSummary(l, h)}`);
        const label = document.createElement('span');
        label.textContent = `L${l} H${h}`;
        button.append(patternCanvas(state.patterns[l], h), label);
        thumbs.push(button);
      }
    }
    const grid = $('attention-thumbs');
    grid.style.setProperty('--heads', heads);
    grid.replaceChildren(...thumbs);
  }

  /** A head's pattern as an n × n canvas, query down and key across, each pixel as dark as its weight. */
  function patternCanvas(pattern, head) {
    const n = pattern.shape[1];
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = n;
    const context = canvas.getContext('2d');
    const image = context.createImageData(n, n);
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) {
        const w = at(pattern, head, q, k); // above the diagonal: 0, unless a what-if lifted the mask
        const o = 4 * (q * n + k);
        for (let c = 0; c < 3; c++) image.data[o + c] = Math.round(255 - w * (255 - ACCENT[c]));
        image.data[o + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
    return canvas;
  }

  /** In words, for a screen reader: where the head mostly looks (itself, the previous character, the first one). */
  function patternSummary(layer, head) {
    const n = state.tokens.length;
    let self = 0, previous = 0, first = 0;
    for (let q = 1; q < n; q++) {
      self += at(state.patterns[layer], head, q, q);
      previous += at(state.patterns[layer], head, q, q - 1);
      first += at(state.patterns[layer], head, q, 0);
    }
    const mean = (x) => percent(x / Math.max(1, n - 1));
    return `on average ${mean(self)} on the character itself, ${mean(previous)} on the one before, ${mean(first)} on the first`;
  }

  function pickHead(layer, head) {
    state.layer = layer;
    state.head = head;
    for (const thumb of $('attention-thumbs').children) {
      thumb.setAttribute('aria-pressed', String(Number(thumb.dataset.layer) === layer && Number(thumb.dataset.head) === head));
    }
    showAttention(state.query);
    showDetail(state.run).catch((e) => status(`error: ${e.message}`));
  }

  function pickQuery(query) {
    state.query = query;
    showAttention(query);
    drawDetail();
  }

  // ---- one head step by step, and LayerNorm: the picked head's and LayerNorm's tensors, for any position ----

  /** The residual stream a LayerNorm reads. */
  function layerNormInput(norm) {
    if (norm === 'ln_final') return `blocks.${state.config.n_layer - 1}.hook_resid_post`;
    const [, layer, which] = norm.match(/^blocks\.(\d+)\.(ln1|ln2)$/);
    return `blocks.${layer}.hook_resid_${which === 'ln1' ? 'pre' : 'mid'}`;
  }

  async function showDetail(asked) {
    const norm = $('ln-picker').value;
    const key = `${state.layer}.${state.head}.${norm}`;
    if (!state.details.has(key)) {
      const attention = ['hook_qk', 'hook_attn_scores', 'hook_pattern'].map((hook) => `blocks.${state.layer}.attn.${hook}`);
      const layerNorm = [layerNormInput(norm), ...['hook_mean', 'hook_std', 'hook_normalized', 'hook_out'].map((hook) => `${norm}.${hook}`)];
      const answer = await inspect('/inspect', {hooks: [...attention, ...layerNorm], heads: [state.head], encoding: 'float32', top_k: 1});
      if (asked !== state.run) return;
      const named = Object.fromEntries([...attention, ...layerNorm].map((name) => [name, tensor(answer, name)]));
      state.details.set(key, {norm, layer: state.layer, head: state.head, version: answer.model_version,
        qk: named[attention[0]], scores: named[attention[1]], pattern: named[attention[2]], input: named[layerNorm[0]],
        mean: named[layerNorm[1]], std: named[layerNorm[2]], normalized: named[layerNorm[3]], out: named[layerNorm[4]]});
    }
    if (key === `${state.layer}.${state.head}.${$('ln-picker').value}`) drawDetail();
  }

  function drawDetail() {
    const detail = state.details.get(`${state.layer}.${state.head}.${$('ln-picker').value}`);
    if (!detail) return;
    drawSteps(detail, state.query);
    drawLayerNorm(detail, state.query);
  }

  /** A number as the page prints it: a true minus sign, no "−0.00", and −∞ for a masked score (−1e9 on the wire). */
  function number(x, digits = 2) {
    if (x <= -1e8) return '−∞';
    const text = x.toFixed(digits);
    return Number(text) === 0 ? (0).toFixed(digits) : text.replace('-', '−');
  }

  function drawSteps(detail, q) {
    const n = state.tokens.length, d = state.config.d_head, root = Math.sqrt(d);
    const rows = [];
    let sum = 0;
    // each score column shaded from its lowest visible score (white) to its highest (dark): the softmax cares only
    // about differences, and these scores are often all negative
    const visible = Array.from({length: q + 1}, (_, k) => at(detail.qk, 0, q, k));
    const [low, high] = [Math.min(...visible), Math.max(...visible)];
    const shade = (score) => heat(score - low, high - low);
    const head = document.createElement('tr');
    for (const [text, title] of [['key', 'the key position and its character'], ['q·k', 'the raw dot product of the query and this key'],
      [`÷ √${d}`, `scaled by 1/√d_head = 1/${root.toFixed(2)}`], ['masked', 'later keys are set to −∞ (−1e9 on the wire)'],
      ['softmax', 'exp, normalised over the row: the attention weights']]) {
      head.append(Object.assign(document.createElement('th'), {scope: 'col', textContent: text, title}));
    }
    rows.push(head);
    for (let k = 0; k < n; k++) {
      const qk = at(detail.qk, 0, q, k), masked = at(detail.scores, 0, q, k), p = at(detail.pattern, 0, q, k);
      sum += p;
      const row = document.createElement('tr');
      row.className = k > q ? 'masked' : '';
      row.append(Object.assign(document.createElement('th'), {scope: 'row', textContent: `${k} ${shown(state.tokens[k].text)}`}));
      const strength = masked <= -1e8 ? 0 : (qk - low) / ((high - low) || 1);
      for (const [value, background, digits] of [[qk, shade(qk), 2], [qk / root, shade(qk), 2],
        [masked, masked <= -1e8 ? '' : shade(qk), 2], [p, heat(p, 1), 3]]) {
        const cell = document.createElement('td');
        cell.textContent = number(value, digits);
        cell.style.background = background;
        cell.style.color = ink(value === p ? p : strength);
        row.append(cell);
      }
      row.lastChild.dataset.weight = String(p);
      rows.push(row);
    }
    $('head-steps').replaceChildren(...rows);
    $('steps-caption').textContent = `Layer ${detail.layer}, head ${detail.head}, the query ${said(state.tokens[q].text)} at`
      + ` position ${q}: ${d}-dimensional queries and keys, so the scores are divided by √${d} = ${root.toFixed(2)};`
      + ` the ${n - 1 - q} later key${n - 1 - q === 1 ? '' : 's'} masked; the softmax row sums to ${sum.toFixed(4)}.`;
  }

  // ---- LayerNorm: one token's values before, normalised, and after the gain and bias ----

  function moments(values) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length;
    return {mean, std: Math.sqrt(variance)};
  }

  function row(t, position) {
    const width = t.shape[1];
    return Array.from(t.data.subarray(position * width, (position + 1) * width));
  }

  function drawLayerNorm(detail, q) {
    const before = row(detail.input, q), normalized = row(detail.normalized, q), after = row(detail.out, q);
    const mean = at(detail.mean, q), std = at(detail.std, q);
    const n = moments(normalized), a = moments(after);
    drawHistogram('ln-before', before, `${detail.norm}'s input (${layerNormInput(detail.norm)})`);
    drawHistogram('ln-normalized', normalized, 'normalised: (x − mean) / √(var + ε)');
    drawHistogram('ln-after', after, 'after the gain (and bias)');
    $('ln-before-caption').textContent = `before: mean ${number(mean, 3)}, std ${number(std, 3)} (hook_mean, hook_std)`;
    $('ln-normalized-caption').textContent = `normalised: mean ${number(n.mean, 3)}, std ${number(n.std, 3)} (hook_normalized)`;
    $('ln-after-caption').textContent = `after gain and bias: mean ${number(a.mean, 3)}, std ${number(a.std, 3)} (hook_out)`;
    $('ln-caption').textContent = `The ${before.length} values of ${said(state.tokens[q].text)} at position ${q}`
      + ` (focus another character above to change it): LayerNorm centres them and scales them to variance 1, then`
      + ` the learned gain stretches each dimension on its own.`;
  }

  function drawHistogram(id, values, label) {
    const bins = 24, width = 200, height = 120, bottom = 16, top = 4;
    const low = Math.min(...values), high = Math.max(...values);
    const span = Math.max(1e-6, high - low);
    const counts = new Array(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - low) / span) * bins))]++;
    const most = Math.max(...counts);
    const barWidth = width / bins;
    const parts = counts.map((count, i) => svgElement('rect', {class: 'bar', x: (i * barWidth + 0.5).toFixed(1),
      y: (height - bottom - (count / most) * (height - bottom - top)).toFixed(1), width: (barWidth - 1).toFixed(1),
      height: ((count / most) * (height - bottom - top)).toFixed(1)}));
    const zero = ((0 - low) / span) * width;
    if (zero > 0 && zero < width) parts.push(svgElement('line', {class: 'zero', x1: zero, x2: zero, y1: top, y2: height - bottom}));
    parts.push(svgElement('text', {x: 0, y: height - 3}, number(low)), svgElement('text', {x: width, y: height - 3, 'text-anchor': 'end'}, number(high)));
    const svg = $(id);
    svg.replaceChildren(...parts);
    const m = moments(values);
    svg.setAttribute('aria-label', `${label}: ${values.length} values from ${number(low)} to ${number(high)}, mean ${m.mean.toFixed(3)}, std ${m.std.toFixed(3)}`);
  }

  // ---- the logit lens: position × stage, the top character and its probability ----

  /** A stage's short name: embed, then each layer's attention and MLP. */
  function stageName(stage) {
    if (stage === 'blocks.0.hook_resid_pre') return ['embed', 'the embeddings alone'];
    const [, layer, where] = stage.match(/^blocks\.(\d+)\.hook_resid_(pre|mid|post)$/) ?? [null, '?', stage];
    return where === 'mid' ? [`${layer} attn`, `after layer ${layer}'s attention`]
      : where === 'post' ? [`${layer} mlp`, `after layer ${layer}'s MLP`] : [stage, stage];
  }

  async function showLens(asked) {
    const answer = await inspect('/inspect/lens', {top_k: 3});
    if (asked !== state.run) return;
    state.lens = answer;
    const stages = answer.stages.map(stageName);
    const head = document.createElement('tr');
    head.append(Object.assign(document.createElement('th'), {scope: 'col', textContent: 'pos'}));
    for (const [short, long] of stages) head.append(Object.assign(document.createElement('th'), {scope: 'col', textContent: short, title: long}));
    const rows = [head];
    for (const [r, position] of answer.positions.entries()) {
      const tr = document.createElement('tr');
      const next = state.tokens[position.position + 1]?.text;
      tr.append(Object.assign(document.createElement('th'), {scope: 'row', textContent: `${position.position} ${shown(position.token.text)}`}));
      for (const [c, cell] of position.cells.entries()) {
        const top = cell.top[0];
        const td = document.createElement('td');
        td.textContent = shown(top.text);
        td.tabIndex = r === answer.positions.length - 1 && c === position.cells.length - 1 ? 0 : -1;
        td.style.background = tint(top.prob);
        td.dataset.top = top.text;
        td.dataset.prob = String(top.prob);
        if (top.text === next) td.classList.add('hit');
        td.setAttribute('aria-label', `position ${position.position} ${said(position.token.text)}, ${stages[c][1]}: `
          + `${said(top.text)} ${percent(top.prob)}`);
        td.title = `${stages[c][1]}: ${cell.top.map((t) => `${shown(t.text)} ${percent(t.prob)}`).join(', ')}`;
        tr.append(td);
      }
      rows.push(tr);
    }
    $('lens-grid').replaceChildren(...rows);
    $('lens-box').scrollTop = $('lens-box').scrollHeight; // the last position, the one the model answers for, in sight
    $('lens-detail').textContent = `read ${answer.model_version}; focus or hover a cell for its top ${answer.positions[0]?.cells[0]?.top.length ?? 3},`
      + ' entropy and KL divergence to the final layer.';
  }

  function lensDetail(td) {
    const r = td.parentElement.rowIndex - 1, c = td.cellIndex - 1;
    const position = state.lens.positions[r], cell = position.cells[c];
    $('lens-detail').textContent = `Position ${position.position} ${said(position.token.text)}, ${stageName(state.lens.stages[c])[1]}: `
      + cell.top.map((t) => `${said(t.text)} ${percent(t.prob)}`).join(', ')
      + `; entropy ${cell.entropy.toFixed(2)} nats; KL to the final ${cell.kl_to_final.toFixed(3)} nats.`;
  }

  // ---- the embeddings: the characters' map, their neighbours, the positions' cosines ----

  const kind = (text) => /[a-z]/.test(text) ? 'lower' : /[A-Z]/.test(text) ? 'upper' : 'mark';

  async function showEmbeddings(asked) {
    if (state.embeddingsOf === state.version) return;
    const query = new URLSearchParams({neighbours: 5, positions: state.config.n_ctx, encoding: 'float32'});
    if (pickedModel) query.set('model', pickedModel);
    if (state.versionAsked) query.set('version', state.versionAsked);
    const answer = await json(`/inspect/embeddings?${query}`);
    if (asked !== state.run) return;
    state.embeddings = answer;
    state.embeddingsOf = state.version;
    const width = 320, height = 240, margin = 14;
    const xs = answer.tokens.map((t) => t.x), ys = answer.tokens.map((t) => t.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const x = (v) => margin + ((v - x0) / Math.max(1e-9, x1 - x0)) * (width - 2 * margin);
    const y = (v) => height - margin - ((v - y0) / Math.max(1e-9, y1 - y0)) * (height - 2 * margin);
    const marks = answer.tokens.map((token, i) => {
      const g = svgElement('g', {class: `emb ${kind(token.text)}`, tabindex: i === 0 ? 0 : -1, 'data-id': token.id,
        transform: `translate(${x(token.x).toFixed(1)} ${y(token.y).toFixed(1)})`,
        'aria-label': `${said(token.text)}: nearest ${token.neighbours.map((n) => said(n.text)).join(', ')}`});
      g.append(svgElement('circle', {r: 7}), svgElement('text', {y: 4, 'text-anchor': 'middle'}, shown(token.text)));
      return g;
    });
    const ratio = answer.explained_variance_ratio ?? [];
    $('embedding-map').replaceChildren(svgElement('g', {id: 'embedding-links'}), ...marks);
    $('embedding-detail').textContent = (ratio.length === 2 ? `The two axes hold ${percent(ratio[0])} and ${percent(ratio[1])}`
      + ' of the embeddings\' variance. ' : '') + `Read ${answer.model_version ?? state.version}.`;
    drawPositionalCosine(tensor({tensors: {p: answer.positional_cosine}}, 'p'));
  }

  function showNeighbours(g) {
    const token = state.embeddings.tokens.find((t) => t.id === Number(g.dataset.id));
    const place = (id) => $('embedding-map').querySelector(`g.emb[data-id="${id}"]`).transform.baseVal[0].matrix;
    const from = place(token.id);
    $('embedding-links').replaceChildren(...token.neighbours.map((n) => {
      const to = place(n.id);
      return svgElement('line', {x1: from.e, y1: from.f, x2: to.e, y2: to.f, 'stroke-opacity': Math.max(0.2, n.cosine).toFixed(2)});
    }));
    $('embedding-detail').textContent = `${said(token.text)} (norm ${token.norm.toFixed(2)}): nearest `
      + token.neighbours.map((n) => `${said(n.text)} ${n.cosine.toFixed(2)}`).join(', ');
  }

  function drawPositionalCosine(cosine) {
    const n = cosine.shape[0];
    const canvas = $('positional-cosine');
    canvas.width = canvas.height = n;
    const context = canvas.getContext('2d');
    const image = context.createImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const v = Math.max(-1, Math.min(1, cosine.data[i]));
      const colour = v < 0 ? WARM : ACCENT;
      for (let c = 0; c < 3; c++) image.data[4 * i + c] = Math.round(255 - Math.abs(v) * (255 - colour[c]));
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
    const mean = (gap) => {
      let sum = 0;
      for (let i = 0; i + gap < n; i++) sum += at(cosine, i, i + gap);
      return sum / Math.max(1, n - gap);
    };
    const far = Math.min(n - 1, 64);
    const words = `${n} positions: neighbouring positions' cosine ${mean(1).toFixed(2)} on average, positions ${far} apart ${mean(far).toFixed(2)}`;
    canvas.setAttribute('aria-label', `Cosine similarity of the positional embeddings, ${words}`);
    $('positional-caption').textContent = `${words}. Blue alike, orange opposed.`;
  }

  // ---- what if: interventions, and the 65 probabilities before and after ----

  function interventions() {
    const chosen = [];
    if ($('wi-ablate').checked) {
      const [layer, head] = $('wi-ablate-head').value.split('.').map(Number);
      chosen.push({kind: 'ablate_head', layer, head, mode: $('wi-ablate-mode').value});
    }
    if ($('wi-no-scaling').checked) chosen.push({kind: 'no_scaling'});
    if ($('wi-no-mask').checked) chosen.push({kind: 'no_causal_mask'});
    if ($('wi-no-pos').checked) chosen.push({kind: 'no_positional_embeddings'});
    if ($('wi-skip-ln').checked) chosen.push({kind: 'skip_layernorm', layernorm: $('wi-skip-ln-which').value});
    return chosen;
  }

  let whatIfAsked = 0;
  async function showWhatIf(asked, generate) {
    const chosen = interventions();
    const mine = ++whatIfAsked;
    // none: both sides are the model as served; the intervened run's attention comes back too, to draw
    const body = {interventions: chosen, top_k: 5, hooks: ['blocks.*.attn.hook_pattern'], encoding: 'float32'};
    if (generate) body.generate = {max_new_tokens: 40};
    $('whatif-kl').textContent = 'computing…';
    const answer = await inspect('/inspect/intervene', body);
    if (asked !== state.run || mine !== whatIfAsked) return;
    drawBars(answer);
    drawPositionKl(answer.per_position_kl);
    drawChangedAttention(answer);
    const token = state.tokens[answer.position];
    if (chosen.length === 0) {
      $('whatif-kl').textContent = `Tick a change above to see what it does to the character after ${said(token.text)}:`
        + ' the bars are the model as served.';
      showGeneration(answer.generation);
      return;
    }
    $('whatif-kl').textContent = `KL(as served ‖ changed) = ${answer.kl.toFixed(4)} nats for the character after`
      + ` ${said(token.text)} (position ${answer.position}); most likely: ${said(answer.baseline.top[0].text)}`
      + ` ${percent(answer.baseline.top[0].prob)} as served, ${said(answer.intervened.top[0].text)}`
      + ` ${percent(answer.intervened.top[0].prob)} changed.`;
    showGeneration(answer.generation);
  }

  function drawBars(answer) {
    const width = 660, height = 170, bottom = 16, top = 6, step = width / answer.vocabulary.length;
    const highest = Math.max(...answer.baseline.probs, ...answer.intervened.probs, 1e-9);
    const h = (p) => (p / highest) * (height - bottom - top);
    const parts = [svgElement('line', {class: 'axis', x1: 0, x2: width, y1: height - bottom, y2: height - bottom}),
      svgElement('line', {class: 'axis', x1: 0, x2: width, y1: top, y2: top}),
      svgElement('text', {x: width - 2, y: top + 10, 'text-anchor': 'end'}, percent(highest))];
    answer.vocabulary.forEach((text, i) => {
      const before = answer.baseline.probs[i], after = answer.intervened.probs[i];
      const group = svgElement('g', {'data-text': text});
      group.append(
        svgElement('rect', {class: 'baseline', x: (i * step + 1).toFixed(1), y: (height - bottom - h(before)).toFixed(1),
          width: (step / 2 - 1).toFixed(1), height: h(before).toFixed(1), 'data-prob': before}),
        svgElement('rect', {class: 'intervened', x: (i * step + step / 2).toFixed(1), y: (height - bottom - h(after)).toFixed(1),
          width: (step / 2 - 1).toFixed(1), height: h(after).toFixed(1), 'data-prob': after}),
        svgElement('text', {class: 'tick', x: (i * step + step / 2).toFixed(1), y: height - 4, 'text-anchor': 'middle'}, shown(text)),
        svgElement('title', {}, `${shown(text)}: ${percent(before)} as served, ${percent(after)} changed`));
      parts.push(group);
    });
    const movers = answer.vocabulary.map((text, i) => [text, answer.baseline.probs[i], answer.intervened.probs[i]])
      .sort((a, b) => Math.abs(b[2] - b[1]) - Math.abs(a[2] - a[1])).slice(0, 5);
    const chart = $('whatif-chart');
    chart.replaceChildren(...parts);
    chart.setAttribute('aria-label', 'Next-character probabilities, as served and changed; the largest moves: '
      + movers.map(([text, before, after]) => `${said(text)} ${percent(before)} to ${percent(after)}`).join(', '));
  }

  /** Every head's attention in the changed run, beside the served thumbnails above: a lifted mask fills the upper triangle. */
  function drawChangedAttention(answer) {
    const {n_layer: layers, n_head: heads} = answer.config;
    const figures = [];
    for (let l = 0; l < layers; l++) {
      const pattern = tensor(answer, `blocks.${l}.attn.hook_pattern`);
      for (let h = 0; h < heads; h++) {
        const n = pattern.shape[1];
        let above = 0, largest = 0;
        for (let q = 0; q < n; q++) {
          let most = 0;
          for (let k = 0; k < n; k++) {
            if (k > q) above += at(pattern, h, q, k);
            most = Math.max(most, at(pattern, h, q, k));
          }
          largest += most / n;
        }
        const figure = document.createElement('figure');
        figure.className = 'thumb';
        figure.dataset.above = String(above / n);
        figure.setAttribute('role', 'img');
        figure.setAttribute('aria-label', `layer ${l}, head ${h} changed: on average ${percent(above / n)} of a row's attention`
          + ` on later characters, its largest weight ${percent(largest)}`);
        figure.append(patternCanvas(pattern, h), Object.assign(document.createElement('figcaption'), {textContent: `L${l} H${h}`}));
        figures.push(figure);
      }
    }
    const grid = $('whatif-attention');
    grid.style.setProperty('--heads', heads);
    grid.replaceChildren(...figures);
  }

  function drawPositionKl(kls) {
    const most = Math.max(...kls, 1e-9);
    $('whatif-positions').replaceChildren(...state.tokens.map((token, i) => {
      const cell = document.createElement('span');
      cell.className = 'ch';
      cell.textContent = shown(token.text);
      cell.dataset.kl = String(kls[i]);
      cell.style.background = heat(kls[i], most, WARM);
      cell.style.color = ink(kls[i] / most);
      cell.title = `position ${i}: KL ${kls[i].toFixed(4)} nats`;
      return cell;
    }));
    $('whatif-positions').setAttribute('aria-label', 'KL divergence at each position: '
      + kls.map((kl, i) => `${i} ${kl.toFixed(3)}`).join(', '));
  }

  function showGeneration(generation) {
    const box = $('whatif-generation');
    if (!generation) { box.replaceChildren(); return; }
    const block = (title, text) => {
      const figure = document.createElement('figure');
      figure.append(Object.assign(document.createElement('figcaption'), {textContent: title}),
        Object.assign(document.createElement('pre'), {className: 'code', textContent: state.text + text}));
      return figure;
    };
    box.replaceChildren(block('as served (greedy)', generation.baseline), block('changed (greedy)', generation.intervened));
  }

  let whatIfTimer = null;
  function scheduleWhatIf(generate = false) {
    clearTimeout(whatIfTimer);
    if (!state.config) return;
    whatIfTimer = setTimeout(() => showWhatIf(state.run, generate).catch((e) => { $('whatif-kl').textContent = `error: ${e.message}`; }), 150);
  }

  // ---- wiring ----

  /** Runs when the view is shown and something it drew is stale (first look, another model). */
  function onView(event) {
    if (event.detail === 'inside' && state.stale) run();
  }

  async function onModel() {
    state.stale = true;
    await listVersions().catch(() => {}); // the served version is always there to read
    if (!$('inside-view').hidden) run();
  }

  /** The picked model's versions in the store, for the version picker (the served one first). */
  async function listVersions() {
    const name = pickedModel;
    const models = await json(`/models${modelQuery(name)}`);
    if (name !== pickedModel) return;
    const picker = $('inside-version');
    const kept = picker.value;
    const served = Object.assign(document.createElement('option'), {value: '', textContent: 'the served one'});
    picker.replaceChildren(served, ...models.versions.map((v) => Object.assign(document.createElement('option'),
      {value: v.version, textContent: `${v.version}${v.served ? ' (served)' : ''} · val loss ${v.val_loss?.toFixed(4) ?? 'n/a'}`})));
    if (models.versions.some((v) => v.version === kept)) picker.value = kept;
  }

  const chars = $('attention-chars');
  rove(chars, 'button.ch');
  chars.addEventListener('mouseover', (e) => e.target.matches('button.ch') && showAttention(Number(e.target.dataset.position)));
  chars.addEventListener('mouseleave', () => state.patterns && showAttention(state.query));
  chars.addEventListener('focusin', (e) => e.target.matches('button.ch') && pickQuery(Number(e.target.dataset.position)));
  chars.addEventListener('click', (e) => e.target.matches('button.ch') && pickQuery(Number(e.target.dataset.position)));

  const thumbs = $('attention-thumbs');
  rove(thumbs, 'button.thumb', () => state.config?.n_head ?? 1);
  thumbs.addEventListener('click', (e) => {
    const thumb = e.target.closest('button.thumb');
    if (thumb) pickHead(Number(thumb.dataset.layer), Number(thumb.dataset.head));
  });

  $('ln-picker').addEventListener('change', () => showDetail(state.run).catch((e) => status(`error: ${e.message}`)));

  const lens = $('lens-grid');
  rove(lens, 'td', () => state.lens?.stages.length ?? 1);
  for (const type of ['focusin', 'mouseover']) lens.addEventListener(type, (e) => e.target.matches('td') && lensDetail(e.target));

  const map = $('embedding-map');
  rove(map, 'g.emb');
  for (const type of ['focusin', 'mouseover']) {
    map.addEventListener(type, (e) => {
      const g = e.target.closest('g.emb');
      if (g) showNeighbours(g);
    });
  }

  $('whatif').addEventListener('change', () => scheduleWhatIf());
  $('whatif-write').addEventListener('click', () => scheduleWhatIf(true));

  $('inside-form').addEventListener('submit', (event) => { event.preventDefault(); run(); });
  $('inside-version').addEventListener('change', () => run());
  $('inside-text').addEventListener('input', () => { if (!$('inside-view').hidden) scheduleNextChart(); });
  document.addEventListener('folio:view', onView);
  document.addEventListener('folio:model', onModel);

  return {run};
})();
