// What pneumo_nb's load_image does after decoding, done as Pillow does it: gray levels, EXIF turns,
// and the bilinear resize to a square, in Pillow's fixed-point arithmetic (libImaging/Resample.c).

const PRECISION_BITS = 32 - 8 - 2;

// Pillow's resize weights along one axis: for each output pixel, the first input pixel and the weights.
function coefficients(inSize, outSize) {
  const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = filterscale;
  const out = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w = [];
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterscale);
      w.push(t < 1 ? 1 - t : 0);
      total += w[x];
    }
    const fixed = w.map(v => {
      const f = total ? v / total : v;
      return Math.trunc(f < 0 ? -0.5 + f * (1 << PRECISION_BITS) : 0.5 + f * (1 << PRECISION_BITS));
    });
    out.push({xmin, w: fixed});
  }
  return out;
}

const clip8 = ss => Math.min(255, Math.max(0, ss >> PRECISION_BITS));

// Resize a gray image {width, height, data} to width×height with Pillow's BILINEAR filter.
export function resize(img, width, height) {
  if (img.width === width && img.height === height) return img;
  const cx = coefficients(img.width, width), cy = coefficients(img.height, height);
  const first = cy[0].xmin, last = cy[height - 1].xmin + cy[height - 1].w.length;
  let src = img, top = 0;
  if (width !== img.width) {   // the horizontal pass first, over the rows the vertical pass reads
    const rows = last - first, tmp = new Uint8ClampedArray(width * rows);
    for (let y = 0; y < rows; y++) {
      const line = (y + first) * img.width;
      for (let x = 0; x < width; x++) {
        const {xmin, w} = cx[x];
        let ss = 1 << (PRECISION_BITS - 1);
        for (let k = 0; k < w.length; k++) ss += img.data[line + xmin + k] * w[k];
        tmp[y * width + x] = clip8(ss);
      }
    }
    src = {width, height: rows, data: tmp};
    top = first;
  }
  if (height === img.height) return src;
  const out = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    const {xmin, w} = cy[y];
    for (let x = 0; x < width; x++) {
      let ss = 1 << (PRECISION_BITS - 1);
      for (let k = 0; k < w.length; k++) ss += src.data[(xmin - top + k) * width + x] * w[k];
      out[y * width + x] = clip8(ss);
    }
  }
  return {width, height, data: out};
}

// Gray levels of RGBA pixels as Pillow converts RGB to L (ITU-R 601-2), alpha composited on black first.
export function gray(rgba, width, height) {
  const data = new Uint8ClampedArray(width * height);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[4 * i + 3];
    const [r, g, b] = [0, 1, 2].map(c => a === 255 ? rgba[4 * i + c] : Math.round(rgba[4 * i + c] * a / 255));
    data[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }
  return {width, height, data};
}

// Turn a gray image upright as its EXIF orientation (1 to 8) says, as ImageOps.exif_transpose does.
export function upright(img, orientation) {
  if (!(orientation > 1 && orientation <= 8)) return img;
  const {width: w, height: h, data} = img, swap = orientation >= 5;
  const W = swap ? h : w, H = swap ? w : h, out = new Uint8ClampedArray(w * h);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx, sy;   // where output pixel (x, y) comes from
      if (orientation === 2) [sx, sy] = [w - 1 - x, y];
      else if (orientation === 3) [sx, sy] = [w - 1 - x, h - 1 - y];
      else if (orientation === 4) [sx, sy] = [x, h - 1 - y];
      else if (orientation === 5) [sx, sy] = [y, x];
      else if (orientation === 6) [sx, sy] = [y, h - 1 - x];
      else if (orientation === 7) [sx, sy] = [w - 1 - y, h - 1 - x];
      else [sx, sy] = [w - 1 - y, x];
      out[y * W + x] = data[sy * w + sx];
    }
  }
  return {width: W, height: H, data: out};
}
