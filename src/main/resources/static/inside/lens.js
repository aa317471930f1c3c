// The logit lens: position × stage, the top character and its probability.

import {state, inspect} from './state.js';
import {percent, rove, said} from './look.js';

/** A stage's short name: embed, then each layer's attention and MLP. */
function stageName(stage) {
  if (stage === 'blocks.0.hook_resid_pre') return ['embed', 'the embeddings alone'];
  const [, layer, where] = stage.match(/^blocks\.(\d+)\.hook_resid_(pre|mid|post)$/) ?? [null, '?', stage];
  return where === 'mid' ? [`${layer} attn`, `after layer ${layer}'s attention`]
    : where === 'post' ? [`${layer} mlp`, `after layer ${layer}'s MLP`] : [stage, stage];
}

export async function showLens(asked) {
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

export function wireLens() {
  const lens = $('lens-grid');
  rove(lens, 'td', () => state.lens?.stages.length ?? 1);
  for (const type of ['focusin', 'mouseover']) lens.addEventListener(type, (e) => e.target.matches('td') && lensDetail(e.target));
}
