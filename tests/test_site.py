"The documentation site: built by `pneumo_docs` without Quarto, served on 127.0.0.1, checked in headless Chromium."
import functools, http.server, re, shutil, subprocess, threading, time, urllib.request
from urllib.parse import unquote
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE_URL = 'https://pneumo-nb.github.io/pneumo_nb/'   # nbdev's show_doc links point at the published site
PAGES = ['index.html', 'data.html', 'imbalance.html', 'model.html', 'train.html', 'eval.html', 'bench.html', 'experiments.html']
SHOTS = ROOT/'ci-artifacts'/'screenshots'
CJK = ('CJK', 'WenQuanYi', 'Source Han', 'PingFang', 'YaHei', 'SimHei', 'Heiti')

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

@pytest.fixture(scope='module')
def site():
    if not (shutil.which('chromium') and shutil.which('chromedriver')): pytest.skip('needs Debian chromium and chromium-driver')
    r = subprocess.run(['pneumo_docs', '--quarto', 'no'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    docs = ROOT/'_docs'
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(docs)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_port}/', docs
    srv.shutdown()

@pytest.fixture(scope='module')
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions(); o.binary_location = shutil.which('chromium')
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync', '--window-size=1280,1400'): o.add_argument(a)
    d = webdriver.Chrome(service=Service(shutil.which('chromedriver')), options=o)
    yield d
    d.quit()

_checked = {}
def resolves(url, base, docs):
    "True when `url` (local, or a link to the published site) names an existing page and, if given, an existing anchor."
    page, _, frag = url.partition("#"); frag = unquote(frag)
    if page.startswith(SITE_URL): page = base + page[len(SITE_URL):]
    if not page.startswith(base): return True                     # outside the site: not ours to check
    key = (page, frag)
    if key not in _checked:
        try: html = urllib.request.urlopen(page, timeout=10).read().decode('utf-8', 'replace')
        except Exception: _checked[key] = False
        else: _checked[key] = not frag or re.search(rf'id="{re.escape(frag)}"', html) is not None
    return _checked[key]

PROBE_JS = r"""
const els = [...document.querySelectorAll('main h1, main h2, main h3, main p, main li, main td, header h1, .description p')];
const el = els.find(e => [...e.childNodes].some(n => n.nodeType === 3 && /[\u4e00-\u9fff]/.test(n.textContent)));
if (el) el.setAttribute('data-cjk-probe', '1');
return el ? el.textContent.slice(0, 40) : null;
"""

def cjk_fonts(browser):
    "Platform fonts Chromium used to draw the first Chinese text on the page."
    assert browser.execute_script(PROBE_JS), 'no Chinese text on the page'
    browser.execute_cdp_cmd('DOM.enable', {}); browser.execute_cdp_cmd('CSS.enable', {})
    root = browser.execute_cdp_cmd('DOM.getDocument', {'depth': -1})['root']['nodeId']
    node = browser.execute_cdp_cmd('DOM.querySelector', {'nodeId': root, 'selector': '[data-cjk-probe]'})['nodeId']
    return [f['familyName'] for f in browser.execute_cdp_cmd('CSS.getPlatformFontsForNode', {'nodeId': node})['fonts']]

@pytest.mark.parametrize('page', PAGES)
def test_page_in_chromium(site, browser, page):
    base, docs = site
    browser.get(base + page)
    assert browser.find_elements('css selector', 'h1'), f'{page}: no title'
    sidebar = browser.execute_script("return [...document.querySelectorAll('#quarto-sidebar a[href]')].map(a => a.href)")
    assert len(sidebar) >= 10, sidebar                              # index, 00-04, model card, appendices, experiment log
    links = browser.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.href)")
    broken = sorted({u for u in links if not resolves(u, base, docs)})
    assert not broken, f'{page}: broken links {broken}'
    imgs = browser.execute_script("return [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0])")
    assert all(ok for _, ok in imgs), f'{page}: images that did not load {[s for s, ok in imgs if not ok]}'
    fonts = cjk_fonts(browser)
    assert any(k in f for f in fonts for k in CJK), f'{page}: Chinese text drawn with {fonts}'
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    browser.save_screenshot(str(SHOTS/page.replace('.html', '.png')))
    if imgs:  # a second shot with the page's first plot in view
        browser.execute_script("[...document.querySelectorAll('main img')].find(i => i.naturalWidth > 100).scrollIntoView({block: 'center', behavior: 'instant'})")
        time.sleep(0.3)
        browser.save_screenshot(str(SHOTS/page.replace('.html', '_plot.png')))

def test_pages_with_plots_have_images(site):
    base, docs = site
    for page in ('data.html', 'train.html', 'eval.html'):
        assert re.search(r'<img[^>]+src=', (docs/page).read_text(encoding='utf-8')), page
