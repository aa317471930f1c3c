// One head step by step (scores, scaled, masked, softmax) for the focused character, and the tensors it and the
// LayerNorm view read: fetched once per layer, head and LayerNorm, drawn for any position.

import {state, inspect} from './state.js';
import {at, tensor} from './tensors.js';
import {heat, ink, number, said} from './look.js';
import {drawLayerNorm, layerNormInput} from './layernorm.js';

export async function showDetail(asked) {
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

export function drawDetail() {
  const detail = state.details.get(`${state.layer}.${state.head}.${$('ln-picker').value}`);
  if (!detail) return;
  drawSteps(detail, state.query);
  drawLayerNorm(detail, state.query);
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
