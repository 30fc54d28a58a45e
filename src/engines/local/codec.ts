// Typed arrays <-> base64 (little-endian), so a model snapshot is plain JSON yet compact and bit-exact.

type Kind = 'f32' | 'f64' | 'i32';

const WIDTH: Record<Kind, number> = { f32: 4, f64: 8, i32: 4 };

export function encodeTyped(a: Float32Array | Float64Array | Int32Array): string {
  const kind: Kind = a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'i32';
  const w = WIDTH[kind];
  const buf = new ArrayBuffer(a.length * w);
  const dv = new DataView(buf);
  // DataView with an explicit endianness keeps snapshots portable across host byte orders.
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (kind === 'f32') dv.setFloat32(i * w, v, true);
    else if (kind === 'f64') dv.setFloat64(i * w, v, true);
    else dv.setInt32(i * w, v, true);
  }
  return Buffer.from(buf).toString('base64');
}

function view(b64: string, width: number): DataView {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % width !== 0) throw new Error('corrupt engine snapshot: bad array length');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodeF32(b64: string): Float32Array {
  const dv = view(b64, 4);
  const out = new Float32Array(dv.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

export function decodeF64(b64: string): Float64Array {
  const dv = view(b64, 8);
  const out = new Float64Array(dv.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat64(i * 8, true);
  return out;
}

export function decodeI32(b64: string): Int32Array {
  const dv = view(b64, 4);
  const out = new Int32Array(dv.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(i * 4, true);
  return out;
}
