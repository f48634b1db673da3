// The gray plane of a baseline JPEG, decoded as pneumo_nb's load_image decodes it.
//
// load_image asks Pillow for a JPEG shrunk by 1/2, 1/4 or 1/8 (`Image.draft`): libjpeg then turns each
// 8×8 block of DCT coefficients into 4×4, 2×2 or 1×1 pixels, each the mean of the block's full-size pixels
// before they are rounded or clipped. A browser's decoder rounds and clips the full-size pixels first, and
// that moves P(pneumonia) by up to 0.1 on the test films. So this file reads the coefficients itself
// (ITU-T T.81: baseline, Huffman-coded, 8-bit) and averages the unrounded pixels as libjpeg does.
// Other JPEGs (progressive, arithmetic-coded, CMYK) return null, and the page decodes them as browsers do.

const ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
  20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45,
  38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];

// COS[x*8 + u] = C(u)/2 · cos((2x+1)uπ/16): one row of the 8-point inverse DCT
const COS = new Float64Array(64);
for (let x = 0; x < 8; x++) {
  for (let u = 0; u < 8; u++) COS[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos((2 * x + 1) * u * Math.PI / 16);
}

// The scale Pillow's draft picks for a film shrunk to `size`: the largest of 8, 4, 2, 1 that fits.
export function draftScale(width, height, size) {
  const fit = Math.min(Math.floor(width / size), Math.floor(height / size));
  return [8, 4, 2, 1].find(s => fit >= s);
}

// A Huffman table as {code length → first code, codes, symbols}, looked up bit by bit.
function huffman(counts, symbols) {
  const maxcode = new Int32Array(18).fill(-1), valptr = new Int32Array(17), mincode = new Int32Array(17);
  let code = 0, k = 0;
  for (let len = 1; len <= 16; len++) {
    valptr[len] = k;
    mincode[len] = code;
    code += counts[len - 1];
    k += counts[len - 1];
    maxcode[len] = counts[len - 1] ? code - 1 : -1;
    code <<= 1;
  }
  return {maxcode, valptr, mincode, symbols};
}

// The entropy-coded bits of a scan: 0xFF00 is a 0xFF byte, and a marker ends the data.
class Bits {
  constructor(bytes, pos) { this.bytes = bytes; this.pos = pos; this.acc = 0; this.n = 0; }
  bit() {
    if (this.n === 0) {
      const b = this.bytes[this.pos];
      if (b === 0xFF && this.bytes[this.pos + 1] !== 0) this.acc = 0;   // a marker: the data ran out; read zeros
      else {
        this.acc = b;
        this.pos += b === 0xFF ? 2 : 1;   // 0xFF00 stands for the byte 0xFF
      }
      this.n = 8;
    }
    this.n--;
    return (this.acc >> this.n) & 1;
  }
  bits(n) { let v = 0; for (let i = 0; i < n; i++) v = (v << 1) | this.bit(); return v; }
  decode(t) {
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | this.bit();
      if (code <= t.maxcode[len]) return t.symbols[t.valptr[len] + code - t.mincode[len]];
    }
    throw new Error('bad Huffman code');
  }
  receive(s) {   // F.2.2.1: s bits, then the sign extension
    if (s === 0) return 0;
    const v = this.bits(s);
    return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
  }
  restart() {    // skip to the byte after the next RSTn marker
    this.n = 0;
    while (this.pos < this.bytes.length - 1 && !(this.bytes[this.pos] === 0xFF && this.bytes[this.pos + 1] >= 0xD0 && this.bytes[this.pos + 1] <= 0xD7)) this.pos++;
    this.pos += 2;
  }
}

// The EXIF orientation (1 to 8) stored in an APP1 segment, or 1.
function exifOrientation(bytes, start, end) {
  if (String.fromCharCode(...bytes.subarray(start, start + 4)) !== 'Exif') return 1;
  const t = start + 6, little = bytes[t] === 0x49;
  const u16 = p => little ? bytes[p] | bytes[p + 1] << 8 : bytes[p] << 8 | bytes[p + 1];
  const u32 = p => little ? (u16(p) | u16(p + 2) << 16) >>> 0 : (u16(p) << 16 | u16(p + 2)) >>> 0;
  const ifd = t + u32(t + 4);
  if (ifd + 2 > end) return 1;
  for (let i = 0, n = u16(ifd); i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > end) break;
    if (u16(e) === 0x0112) return u16(e + 8) || 1;
  }
  return 1;
}

// Decode the gray plane of a baseline JPEG at 1/`scale` of its size (1, 2, 4 or 8):
// {width, height, data: Uint8ClampedArray, orientation}, or null for a JPEG this file does not read.
export function decodeGray(buffer, scale) {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] !== 0xFF || bytes[1] !== 0xD8) return null;
  const qt = [], dc = [], ac = [];
  let frame = null, restartInterval = 0, orientation = 1, adobe = false, pos = 2;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xFF) { pos++; continue; }
    const marker = bytes[pos + 1];
    pos += 2;
    if (marker === 0xD8 || marker === 0x01 || (marker >= 0xD0 && marker <= 0xD7) || marker === 0xFF) continue;
    if (marker === 0xD9) break;
    const len = bytes[pos] << 8 | bytes[pos + 1], body = pos + 2, end = pos + len;
    if (marker === 0xE1) orientation = Math.max(orientation, exifOrientation(bytes, body, end));
    else if (marker === 0xEE) adobe = true;
    else if (marker === 0xDB) {
      for (let p = body; p < end;) {
        const precision = bytes[p] >> 4, id = bytes[p] & 15, q = new Int32Array(64);
        p++;
        for (let k = 0; k < 64; k++) { q[k] = precision ? bytes[p] << 8 | bytes[p + 1] : bytes[p]; p += precision ? 2 : 1; }
        qt[id] = q;   // in zigzag order, as stored
      }
    } else if (marker === 0xC4) {
      for (let p = body; p < end;) {
        const cls = bytes[p] >> 4, id = bytes[p] & 15, counts = bytes.subarray(p + 1, p + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        (cls ? ac : dc)[id] = huffman(counts, bytes.slice(p + 17, p + 17 + total));
        p += 17 + total;
      }
    } else if (marker === 0xDD) restartInterval = bytes[body] << 8 | bytes[body + 1];
    else if (marker === 0xC0 || marker === 0xC1) {
      if (bytes[body] !== 8) return null;
      const comps = [];
      for (let i = 0; i < bytes[body + 5]; i++) {
        const c = body + 6 + 3 * i;
        comps.push({id: bytes[c], h: bytes[c + 1] >> 4, v: bytes[c + 1] & 15, tq: bytes[c + 2]});
      }
      frame = {height: bytes[body + 1] << 8 | bytes[body + 2], width: bytes[body + 3] << 8 | bytes[body + 4], comps};
    } else if (marker >= 0xC2 && marker <= 0xCF && marker !== 0xC4 && marker !== 0xC8 && marker !== 0xCC) return null;
    else if (marker === 0xDA) {
      if (!frame || adobe || ![1, 3].includes(frame.comps.length)) return null;
      const gray = decodeScan(bytes, body, len, frame, qt, dc, ac, restartInterval, scale);
      return gray && {...gray, orientation};
    }
    pos = end;
  }
  return null;
}

// Decode the one scan of a baseline frame; return the first (gray, or Y) component's plane at 1/scale.
function decodeScan(bytes, body, len, frame, qt, dc, ac, restartInterval, scale) {
  const ns = bytes[body], hmax = Math.max(...frame.comps.map(c => c.h)), vmax = Math.max(...frame.comps.map(c => c.v));
  if (ns !== frame.comps.length) return null;   // one scan holding every component
  const y = frame.comps[0];
  if (y.h !== hmax || y.v !== vmax) return null;   // the gray plane at full resolution
  const sel = [];
  for (let i = 0; i < ns; i++) {
    const id = bytes[body + 1 + 2 * i], tables = bytes[body + 2 + 2 * i];
    const c = frame.comps.find(c => c.id === id);
    sel.push({...c, dc: dc[tables >> 4], ac: ac[tables & 15], q: qt[c.tq], pred: 0});
  }
  if (sel.some(c => !c.dc || !c.ac || !c.q)) return null;
  const mcuX = Math.ceil(frame.width / (8 * hmax)), mcuY = Math.ceil(frame.height / (8 * vmax));
  const n = 8 / scale, bw = mcuX * y.h, outW = Math.ceil(frame.width / scale), outH = Math.ceil(frame.height / scale);
  const plane = new Float64Array(bw * n * mcuY * y.v * n);
  const stride = bw * n, bits = new Bits(bytes, body + len - 2), coef = new Float64Array(64), row = new Float64Array(64);
  let mcus = 0;
  for (let my = 0; my < mcuY; my++) {
    for (let mx = 0; mx < mcuX; mx++) {
      if (restartInterval && mcus && mcus % restartInterval === 0) { bits.restart(); for (const c of sel) c.pred = 0; }
      mcus++;
      for (const c of sel) {
        for (let by = 0; by < (ns > 1 ? c.v : 1); by++) {
          for (let bx = 0; bx < (ns > 1 ? c.h : 1); bx++) {
            readBlock(bits, c, coef);
            if (c !== sel[0]) continue;
            reducedIdct(coef, row, n, plane, stride, (mx * y.h + bx) * n, (my * y.v + by) * n);
          }
        }
      }
    }
  }
  const data = new Uint8ClampedArray(outW * outH);
  for (let r = 0; r < outH; r++) {
    for (let x = 0; x < outW; x++) data[r * outW + x] = Math.round(plane[r * stride + x] + 128);
  }
  return {width: outW, height: outH, data};
}

// One 8×8 block's dequantised coefficients, in natural order (F.2.2).
function readBlock(bits, c, coef) {
  coef.fill(0);
  c.pred += bits.receive(bits.decode(c.dc));
  coef[0] = c.pred * c.q[0];
  for (let k = 1; k < 64; k++) {
    const rs = bits.decode(c.ac), r = rs >> 4, s = rs & 15;
    if (s === 0) { if (r === 15) { k += 15; continue; } break; }
    k += r;
    coef[ZIGZAG[k]] = bits.receive(s) * c.q[k];
  }
}

// The inverse DCT of one block, each n×n output the mean of (8/n)×(8/n) unrounded full-size pixels.
function reducedIdct(coef, row, n, plane, stride, x0, y0) {
  for (let v = 0; v < 8; v++) {        // rows of coefficients → rows of pixels
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += COS[x * 8 + u] * coef[v * 8 + u];
      row[v * 8 + x] = s;
    }
  }
  const g = 8 / n;
  for (let yy = 0; yy < n; yy++) {
    for (let xx = 0; xx < n; xx++) {
      let sum = 0;
      for (let y = yy * g; y < (yy + 1) * g; y++) {
        for (let x = xx * g; x < (xx + 1) * g; x++) {
          let s = 0;
          for (let v = 0; v < 8; v++) s += COS[y * 8 + v] * row[v * 8 + x];
          sum += s;
        }
      }
      plane[(y0 + yy) * stride + x0 + xx] = sum / (g * g);
    }
  }
}
