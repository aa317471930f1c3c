// The Inside view's state, and its one line to the server: one inspection at a time (the server runs them on a small
// pool of its own, and answers 429 when that is full).

export const state = {
  run: 0, // the latest run's number: an older run's late answers are dropped
  text: '', versionAsked: '', config: null, tokens: [], version: '', patterns: null,
  layer: 0, head: 0, query: 0,
  details: new Map(), // `${layer}.${head}.${layernorm}` → the step-by-step and LayerNorm tensors
  embeddings: null, embeddingsOf: null, lens: null, stale: true,
};

let line = Promise.resolve();
export function inspect(path, body) {
  const version = state.versionAsked ? {version: state.versionAsked} : {};
  const answer = line.then(() => json(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(withModel({inputs: state.text, ...version, ...body}))}));
  line = answer.catch(() => {});
  return answer;
}

export function status(text) {
  $('inside-status').textContent = text;
}
