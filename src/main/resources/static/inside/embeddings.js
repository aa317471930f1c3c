// The embeddings: the characters' map on two principal components, their neighbours, the positions' cosines.

import {state} from './state.js';
import {ACCENT, WARM, percent, rove, said} from './look.js';
import {at, tensor} from './tensors.js';

const kind = (text) => /[a-z]/.test(text) ? 'lower' : /[A-Z]/.test(text) ? 'upper' : 'mark';

export async function showEmbeddings(asked) {
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

export function wireEmbeddings() {
  const map = $('embedding-map');
  rove(map, 'g.emb');
  for (const type of ['focusin', 'mouseover']) {
    map.addEventListener(type, (e) => {
      const g = e.target.closest('g.emb');
      if (g) showNeighbours(g);
    });
  }
}
