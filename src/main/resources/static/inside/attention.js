// Attention: the text's characters, tinted by what the focused one attends to, and a thumbnail per layer and head.

import {state, status} from './state.js';
import {at} from './tensors.js';
import {heat, ink, patternCanvas, percent, rove, said} from './look.js';
import {drawDetail, showDetail} from './steps.js';

export function drawChars() {
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
export function showAttention(query) {
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
export function drawThumbs() {
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

export function wireAttention() {
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
}
