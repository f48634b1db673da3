// 试一试 Try it: the model shipped with pneumo_nb, run on the reader's films in the reader's own browser.
// Nothing leaves this machine: the runtime (onnxruntime-web), the model and this code are files of the site.
import * as ort from './ort/ort.wasm.min.mjs';
import {decodeGray, draftScale} from './jpeg.js';
import {gray, resize, upright} from './pillow.js';

const here = new URL('./', import.meta.url);
const box = document.getElementById('tryit');
const say = (zh, en) => `<span lang="zh">${zh}</span> <span lang="en">${en}</span>`;
window.pneumoResults = [];

// The film as load_image sees it: gray, upright, squashed to size×size; `exact` when decoded as Pillow does.
async function modelInput(file, size, info) {
  const bytes = await file.arrayBuffer();
  const jpeg = /\.jpe?g$/i.test(file.name) || file.type === 'image/jpeg';
  const header = jpeg && sizeOf(bytes);
  const g = header && decodeGray(bytes, draftScale(header.width, header.height, size));
  if (g) {
    const film = upright(g, g.orientation);
    return {x: resize(film, size, size), exact: true, warning: filmWarning(film, info)};
  }
  const bitmap = await createImageBitmap(new Blob([bytes]), {colorSpaceConversion: 'none', premultiplyAlpha: 'none'});
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height), ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const film = gray(rgba, bitmap.width, bitmap.height);
  const png = new Uint8Array(bytes, 0, Math.min(26, bytes.byteLength));
  const eightBitPng = png[1] === 0x50 && png[2] === 0x4E && png[3] === 0x47 && png[24] <= 8;   // a browser reads 8 bits
  return {x: resize(film, size, size), exact: eightBitPng, warning: filmWarning(film, info)};
}

// How many rows from the first are near black: 98% of their pixels at most 24 (images.edge_band).
function edgeBand(rows) {
  for (let k = 0; k < rows.length; k++) {
    const sorted = Float64Array.from(rows[k]).sort(), q = 0.98 * (sorted.length - 1), lo = Math.floor(q);
    const p98 = sorted[lo] + (q - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]);
    if (p98 > 24) return k;
  }
  return rows.length;
}

// The warning pneumo_predict gives a film unlike nearly all training films (images.film_warning), or ''.
function filmWarning(film, info) {
  const [lo, hi] = info.aspect_range, ratio = film.width / film.height, notes = [];
  if (ratio < lo || ratio > hi) notes.push(`${ratio.toFixed(2)} times as wide as tall (training films: ${lo} to ${hi})`);
  const s = Math.min(1, 128 / Math.max(film.width, film.height));
  const t = resize(film, Math.max(1, Math.round(film.width * s)), Math.max(1, Math.round(film.height * s)));
  const row = y => t.data.subarray(y * t.width, (y + 1) * t.width);
  const col = x => Array.from({length: t.height}, (_, y) => t.data[y * t.width + x]);
  const rows = [...Array(t.height).keys()].map(row), cols = [...Array(t.width).keys()].map(col);
  const band = Math.min(1, Math.max((edgeBand(rows) + edgeBand(rows.slice().reverse())) / t.height,
                                    (edgeBand(cols) + edgeBand(cols.slice().reverse())) / t.width));
  if (band > info.max_dark_border) notes.push(`dark bands take ${Math.round(100 * band)}% of its width or height`);
  return notes.join('; ');
}

// Width and height from a JPEG's frame header.
function sizeOf(buffer) {
  const b = new Uint8Array(buffer);
  for (let p = 2; p + 9 < b.length;) {
    if (b[p] !== 0xFF) { p++; continue; }
    const m = b[p + 1];
    if (m >= 0xC0 && m <= 0xCF && m !== 0xC4 && m !== 0xC8 && m !== 0xCC) return {height: b[p + 5] << 8 | b[p + 6], width: b[p + 7] << 8 | b[p + 8]};
    p += 2 + (b[p + 2] << 8 | b[p + 3]);
  }
  return null;
}

// The heat map as gradcam draws it (exported_heat in Python): the 8×8 map, ReLU'd, resized with
// TensorFlow's bilinear rule (half-pixel centres) to size×size, then scaled to a maximum of 1. The
// exported map is Grad-CAM's times its h×w cells: when its strongest cell stands for less than 0.001
// of the logit (gradcam's NO_EVIDENCE) there is next to no evidence, and the map is all zero.
const NO_EVIDENCE = 1e-3;
function heatMap(cam, h, w, size) {
  const out = new Float32Array(size * size);
  const at = (y, x) => Math.max(cam[y * w + x], 0);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(Math.max((y + 0.5) * h / size - 0.5, 0), h - 1), y0 = Math.floor(sy), y1 = Math.min(y0 + 1, h - 1), fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = Math.min(Math.max((x + 0.5) * w / size - 0.5, 0), w - 1), x0 = Math.floor(sx), x1 = Math.min(x0 + 1, w - 1), fx = sx - x0;
      out[y * size + x] = (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
    }
  }
  const top = out.reduce((a, b) => Math.max(a, b), 0);
  return top >= NO_EVIDENCE * h * w ? out.map(v => v / top) : out.fill(0);
}

// Matplotlib's 'jet' colour map, as heat_figure draws it.
function jet(v) {
  const c = t => Math.round(255 * Math.min(Math.max(1.5 - Math.abs(4 * v - t), 0), 1));
  return [c(3), c(2), c(1)];
}

// The film beside the film under its heat map, stretched back to the film's own shape.
async function drawFilm(file, heat, size, figure) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 360 / bitmap.height), w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
  const panels = [document.createElement('canvas'), document.createElement('canvas')];
  for (const [k, canvas] of panels.entries()) {
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.filter = 'grayscale(1)';
    ctx.drawImage(bitmap, 0, 0, w, h);
    ctx.filter = 'none';
    if (k === 1) {
      const small = new OffscreenCanvas(size, size), sctx = small.getContext('2d'), img = sctx.createImageData(size, size);
      heat.forEach((v, i) => { img.data.set([...jet(v), Math.round(255 * 0.6 * v)], 4 * i); });
      sctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, w, h);
    }
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', k ? '叠加 Grad-CAM 热图的片子 the film under its Grad-CAM heat map' : '片子 the film');
    figure.appendChild(canvas);
  }
}

async function main() {
  const info = await (await fetch(new URL('export.json', here))).json();
  ort.env.wasm.numThreads = 1;   // no cross-origin isolation is needed for one thread
  ort.env.wasm.wasmPaths = new URL('ort/', here).href;
  const session = await ort.InferenceSession.create(new URL('model.onnx', here).href, {executionProviders: ['wasm']});
  const size = info.image_size, list = box.querySelector('.tryit-results');

  async function predict(file, t0, batch) {
    const item = document.createElement('div');
    item.className = 'tryit-item';
    batch.appendChild(item);
    try {
      const {x, exact, warning} = await modelInput(file, size, info);
      const input = new ort.Tensor('float32', Float32Array.from(x.data), [1, size, size, 1]);
      const out = await session.run({[session.inputNames[0]]: input});
      const prob = out[session.outputNames[0]].data[0], cam = out[session.outputNames[1]];
      const heat = heatMap(cam.data, cam.dims[1], cam.dims[2], size);
      const pneumonia = prob >= info.threshold;
      item.innerHTML = `<p class="tryit-name"></p><p class="tryit-answer">${say('肺炎概率', 'P(pneumonia)')} <b>${prob.toFixed(3)}</b>: ` +
        `<b>${pneumonia ? say('肺炎', 'PNEUMONIA') : say('正常', 'NORMAL')}</b>, ${say('按主要规则', 'under the primary rule')} ` +
        `(${say('校准到声明的患病率', 'calibrated to a declared prevalence of')} ${info.prior}, ${say('阈值', 'threshold')} ${info.threshold})</p>` +
        (warning ? `<p class="tryit-warning">${say('注意：这张片子和绝大多数训练片不一样', 'Note: this film is unlike nearly all training films')}: <span class="tryit-why"></span>. ${say('模型只见过压成正方形的那种胸片；请把它裁到胸部，或谨慎看待结果。', 'The model saw only films like those, squashed to a square: crop it to the chest, or read the result with care.')}</p>` : '') +
        (exact ? '' : `<p class="tryit-note">${say('这个文件用浏览器自己的解码器读取，和 pneumo_predict 的结果可能略有出入。', "Read with the browser's own decoder: it may differ slightly from pneumo_predict.")}</p>`) +
        '<div class="tryit-figure"></div>';
      item.querySelector('.tryit-name').textContent = file.name;
      if (warning) item.querySelector('.tryit-why').textContent = warning;
      await drawFilm(file, heat, size, item.querySelector('.tryit-figure'));
      const ms = performance.now() - t0;
      item.insertAdjacentHTML('beforeend', `<p class="tryit-time">${ms.toFixed(0)} ms</p>`);
      window.pneumoResults.push({name: file.name, prob, pneumonia, exact, warning, ms, heat: Array.from(heat)});
    } catch (e) {
      item.textContent = `${file.name}: ${e.message}`;
      window.pneumoResults.push({name: file.name, error: String(e.message)});
    }
  }
  async function take(files, t0) {   // the newest films first; within one drop, in their order
    const batch = document.createElement('div');
    list.prepend(batch);
    for (const f of files) { await predict(f, t0, batch); t0 = performance.now(); }
  }
  const input = box.querySelector('input[type=file]'), zone = box.querySelector('.tryit-drop');
  input.addEventListener('change', e => take([...input.files], e.timeStamp));
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('tryit-over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('tryit-over'));
  zone.addEventListener('drop', e => { e.preventDefault(); zone.classList.remove('tryit-over'); take([...e.dataTransfer.files], e.timeStamp); });
  box.querySelector('.tryit-status').innerHTML = say('模型已就绪：拖进片子，或点上面的按钮选择。', 'The model is ready: drop films here, or choose them with the button above.');
  box.dataset.ready = 'true';
}

main().catch(e => {
  box.querySelector('.tryit-status').textContent = `${e.message}`;
  box.dataset.ready = 'error';
});
