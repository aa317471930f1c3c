// LayerNorm before and after: one token's d_model values entering it, normalised, and after the gain and bias.

import {state} from './state.js';
import {at, moments, row} from './tensors.js';
import {number, said} from './look.js';

/** The residual stream a LayerNorm reads. */
export function layerNormInput(norm) {
  if (norm === 'ln_final') return `blocks.${state.config.n_layer - 1}.hook_resid_post`;
  const [, layer, which] = norm.match(/^blocks\.(\d+)\.(ln1|ln2)$/);
  return `blocks.${layer}.hook_resid_${which === 'ln1' ? 'pre' : 'mid'}`;
}

export function drawLayerNorm(detail, q) {
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
