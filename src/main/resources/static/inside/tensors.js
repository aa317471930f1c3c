// Tensors as the /inspect routes send them, decoded, and a few statistics over them.

/** A tensor of an answer as {shape, data}: data a flat Float32Array in shape order (json or float32 encoding). */
export function tensor(answer, name) {
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
export function at(t, ...index) {
  let offset = 0;
  for (let i = 0; i < index.length; i++) offset = offset * t.shape[i] + index[i];
  return t.data[offset];
}

/** The mean and (population) standard deviation of a list of numbers. */
export function moments(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length;
  return {mean, std: Math.sqrt(variance)};
}

/** One position's values of a [pos, d] tensor, as a plain array. */
export function row(t, position) {
  const width = t.shape[1];
  return Array.from(t.data.subarray(position * width, (position + 1) * width));
}
