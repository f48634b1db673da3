"""The Try it page: films dropped or chosen in headless Chromium, with every other host blackholed,
give the probabilities, decisions and heat maps of `pneumo_predict` and the package's Grad-CAM."""
import base64, json, shutil, statistics, time
import numpy as np
import pytest
from PIL import Image
from conftest import ROOT, run, offline_env
from pneumo_nb.examples import example_films

SHOTS = ROOT/'ci-artifacts'/'screenshots'
EXAMPLES = [p for p, _ in example_films()]

@pytest.fixture(scope='module')
def page(site):
    "Chromium on the Try it page, every host but this machine unreachable, once the model is ready."
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = shutil.which('chromium')
    flags = ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             '--window-size=1280,1400',
             '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1')   # no other host resolves
    for a in flags: o.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which('chromedriver')), options=o)
    base, _ = site
    d.get(base + 'try.html')
    ready = "return document.getElementById('tryit').dataset.ready"
    status = "return document.querySelector('.tryit-status').textContent"
    for _ in range(300):
        if d.execute_script(ready): break
        time.sleep(0.1)
    assert d.execute_script(ready) == 'true', d.execute_script(status)
    yield d, base
    d.quit()

def results(d, n, start):
    "Wait for `n` new results after the first `start`; return them."
    for _ in range(600):
        if d.execute_script("return window.pneumoResults.length") >= start + n: break
        time.sleep(0.05)
    return d.execute_script("return window.pneumoResults").__getitem__(slice(start, start + n))

def choose(d, paths):
    "Choose files with the page's file button; return their results."
    start = d.execute_script("return window.pneumoResults.length")
    button = d.find_element('css selector', '#tryit input[type=file]')
    d.execute_script("arguments[0].value = ''", button)   # a new choice, not added to the last one
    button.send_keys('\n'.join(str(p) for p in paths))
    return results(d, len(paths), start)

DROP = """
const [zone, files] = [document.querySelector('.tryit-drop'), arguments[0]];
const dt = new DataTransfer();
for (const [name, b64] of files) {
  dt.items.add(new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], name));
}
zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
"""

def drop(d, paths):
    "Drop files on the page's drop zone, as a reader drags them from a folder; return the results."
    start = d.execute_script("return window.pneumoResults.length")
    d.execute_script(DROP, [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in paths])
    return results(d, len(paths), start)

def reference(paths):
    "pneumo_predict's probabilities for `paths`, the package's Grad-CAM at the model's input size."
    r = run('pneumo_predict', *paths, '--json', env=offline_env())
    assert r.returncode == 0, r.stderr
    probs = [json.loads(l)['prob'] for l in r.stdout.splitlines()]
    from pneumo_nb.gradcam import gradcam
    from pneumo_nb.images import load_images
    from pneumo_nb.runs import shipped_run
    from pneumo_nb.runs import load_run
    cfg, model = load_run(shipped_run())
    x, _, _ = load_images(paths, cfg.image_size, cfg.channels)
    return probs, np.concatenate([gradcam(model, x[k:k + 32]) for k in range(0, len(x), 32)])

def agreement(got, paths):
    "Compare the page's results with the package's: worst probability gap and heat-map correlation."
    probs, cams = reference(paths)
    gaps, cors = [], []
    for r, p, cam, path in zip(got, probs, cams, paths):
        assert 'error' not in r, r
        assert r['name'] == path.name and r['exact'], r['name']
        gaps.append(abs(r['prob'] - p))
        assert (r['prob'] >= 0.5) == (p >= 0.5), (path.name, r['prob'], p)   # the same decision
        heat = np.array(r['heat']).reshape(cam.shape)
        flat = (heat.std() == 0, cam.std() == 0)
        # a flat map (no evidence for pneumonia) agrees only with the same flat map; a correlation
        # with a flat map is undefined (NaN), and NaN would slip past min() below
        if any(flat): cors.append(1.0 if all(flat) and abs(heat.max() - cam.max()) < 0.01 else 0.0)
        else: cors.append(float(np.corrcoef(heat.ravel(), cam.ravel())[0, 1]))
    assert max(gaps) <= 0.01, max(gaps)
    worst = int(np.argmin(cors))
    assert cors[worst] >= 0.95, (paths[worst].name, cors[worst], float(np.max(cams[worst])))
    return max(gaps), min(cors)

def assert_only_this_site(d, base):
    loaded = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and not [u for u in loaded if not u.startswith(base)], loaded

def drop_and_check(d, base, films, what):
    "Drop `films`, check them against the package and the page's requests; print, return the times."
    got = drop(d, films)
    gap, cor = agreement(got, films)
    assert_only_this_site(d, base)
    ms = [r['ms'] for r in got]
    print(f"\n{what}: probabilities within {gap:.4f} of pneumo_predict, "
          f"heat maps correlate at least {cor:.4f}; "
          f"drop to result, median {statistics.median(ms):.0f} ms (max {max(ms):.0f} ms)")
    return ms

def test_example_films_dropped(page):
    d, base = page
    assert statistics.median(drop_and_check(d, base, EXAMPLES, '8 example films')) < 300

def test_official_test_films_dropped(page, data_root):
    "All 624 films of the official test split, dropped 104 at a time."
    d, base = page
    films = sorted((data_root/'test').glob('*/*.jpeg'))
    assert len(films) == 624
    ms = [t for k in range(0, len(films), 104)
          for t in drop_and_check(d, base, films[k:k + 104], f'test films {k}+')]
    print(f"all {len(films)} official test films: drop to result, median "
          f"{statistics.median(ms):.0f} ms a film")

def test_phone_photo_png_and_a_wide_film(page, tmp_path):
    "A film on its side with an EXIF orientation, a PNG, and a film three times too wide (warned)."
    d, _ = page
    exif = Image.Exif()
    exif[0x0112] = 6
    src = Image.open(EXAMPLES[4])
    src.transpose(Image.Transpose.ROTATE_90).save(tmp_path/'phone.jpeg', quality=95, exif=exif)
    src.save(tmp_path/'film.png')
    wide = Image.new('L', (3*src.width, src.height))
    for k in range(3): wide.paste(src, (k*src.width, 0))
    wide.save(tmp_path/'wide.png')
    films = [tmp_path/'phone.jpeg', tmp_path/'film.png', tmp_path/'wide.png']
    got = choose(d, films)
    agreement(got, films)
    assert [bool(r['warning']) for r in got] == [False, False, True], [r['warning'] for r in got]
    assert 'times as wide as tall' in got[2]['warning']

def test_screenshots(page):
    "The page with two results, at a desktop and a phone width (kept with CI's other screenshots)."
    d, _ = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 400):
        d.set_window_size(width, 1600)
        time.sleep(0.3)
        d.execute_script("document.querySelector('.tryit-drop')"
                         ".scrollIntoView({block: 'start', behavior: 'instant'})")
        d.save_screenshot(str(SHOTS/f'try_{width}.png'))
        wide = d.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        assert not wide, f'the page scrolls sideways at {width} px'
    d.set_window_size(1280, 1400)
