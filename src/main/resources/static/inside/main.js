// The playground's Inside view: the served model's attention, LayerNorm, logit lens, embeddings and what-ifs, read
// from Folio's /inspect routes (docs/inspect.md) and drawn in SVG and canvas. Plain JavaScript modules, no libraries;
// they use playground.js's helpers ($, json, withModel, modelQuery, shown, tint, svgElement) and hear its
// 'folio:view' and 'folio:model' events.

import {state, inspect, status} from './state.js';
import {tensor} from './tensors.js';
import {drawChars, drawThumbs, showAttention, wireAttention} from './attention.js';
import {showDetail} from './steps.js';
import {showLens, wireLens} from './lens.js';
import {showEmbeddings, wireEmbeddings} from './embeddings.js';
import {showWhatIf, wireWhatIf} from './whatif.js';

/** Runs when the view is shown and something it drew is stale (first look, another model). */
function onView(event) {
  if (event.detail === 'inside' && state.stale) run();
}

async function onModel() {
  state.stale = true;
  await listVersions().catch(() => {}); // the served version is always there to read
  if (!$('inside-view').hidden) run();
}

/** The versions of the picked model the inspection routes can read (/inspect/versions, newest first), for the picker. */
async function listVersions() {
  const name = pickedModel;
  const readable = await json(`/inspect/versions${modelQuery(name)}`);
  if (name !== pickedModel) return;
  const picker = $('inside-version');
  const kept = picker.value;
  const served = Object.assign(document.createElement('option'), {value: '', textContent: 'the served one'});
  picker.replaceChildren(served, ...readable.versions.map((v) => Object.assign(document.createElement('option'), {value: v.version,
    textContent: `${v.version}${v.served ? ' (served)' : ''} · step ${v.steps ?? '?'} · val loss ${v.val_loss?.toFixed(4) ?? 'n/a'}`})));
  if (readable.versions.some((v) => v.version === kept)) picker.value = kept;
}

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

wireAttention();
$('ln-picker').addEventListener('change', () => showDetail(state.run).catch((e) => status(`error: ${e.message}`)));
wireLens();
wireEmbeddings();
wireWhatIf();
$('inside-form').addEventListener('submit', (event) => { event.preventDefault(); run(); });
$('inside-version').addEventListener('change', () => run());
$('inside-text').addEventListener('input', () => { if (!$('inside-view').hidden) scheduleNextChart(); });
document.addEventListener('folio:view', onView);
document.addEventListener('folio:model', onModel);
// a module runs after the page's first script: the model may be known already, and the view shown (/#inside)
if (info) onModel();
