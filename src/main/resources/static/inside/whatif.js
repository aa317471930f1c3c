// What if: the interventions ticked, and the next character's 65 probabilities before and after.

import {state, inspect} from './state.js';
import {at, tensor} from './tensors.js';
import {WARM, heat, ink, patternCanvas, percent, said} from './look.js';

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
export async function showWhatIf(asked, generate) {
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

export function wireWhatIf() {
  $('whatif').addEventListener('change', () => scheduleWhatIf());
  $('whatif-write').addEventListener('click', () => scheduleWhatIf(true));
}
