// How the Inside view shows things: colours, words for characters and numbers, keyboard focus, attention canvases.

import {at} from './tensors.js';

export const ACCENT = [52, 85, 219], WARM = [217, 72, 15];

export const said = (text) => text === '\n' ? 'newline' : text === ' ' ? 'space' : `“${text}”`;
export const percent = (p) => `${(100 * p).toFixed(1)}%`;

/** Blue for positive values, orange for negative, stronger with magnitude (relative to scale). */
export function heat(value, scale, colour = ACCENT) {
  const [r, g, b] = value < 0 ? WARM : colour;
  const a = Math.min(1, Math.abs(value) / (scale || 1));
  return `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})`;
}

/** Dark text on light cells, white on dark ones. */
export const ink = (strength) => strength > 0.55 ? '#fff' : '';

/** Arrow keys, Home and End move the focus within a group, which is one stop for Tab (WAI-ARIA's roving tabindex). */
export function rove(container, selector, columns = () => 1) {
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

/** A number as the page prints it: a true minus sign, no "−0.00", and −∞ for a masked score (−1e9 on the wire). */
export function number(x, digits = 2) {
  if (x <= -1e8) return '−∞';
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text.replace('-', '−');
}

/** A head's pattern as an n × n canvas, query down and key across, each pixel as dark as its weight. */
export function patternCanvas(pattern, head) {
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
