"""The documentation site: built by `pneumo_docs` without Quarto, served on 127.0.0.1,
checked in headless Chromium."""
import html, os, re, time, urllib.request
from urllib.parse import unquote
import pytest
from conftest import ROOT
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

# nbdev's show_doc links point at the published site
SITE_URL = 'https://pneumo-nb.github.io/pneumo_nb/'
PAGES = ['index.html', 'try.html', 'data.html', 'imbalance.html', 'model.html', 'train.html',
         'eval.html', 'precise_bn.html', 'ensemble.html', 'calibration.html', 'operating.html',
         'adapt.html', 'gradcam.html', 'cli.html', 'core.html', 'download.html', 'bench.html',
         'docs.html', 'release.html', 'images.html', 'runs.html', 'predict.html', 'files.html',
         'commands.html', 'card.html', 'ladder.html', 'examples.html', 'experiments.html',
         'model_card.html', 'glossary.html']
SHOTS = ROOT/'ci-artifacts'/'screenshots'
CJK = ('CJK', 'WenQuanYi', 'Source Han', 'PingFang', 'YaHei', 'SimHei', 'Heiti')

_checked = {}
def resolves(url, base, docs):
    "True when `url` (local or on the published site) names an existing page and, if given, anchor."
    page, _, frag = url.partition("#")
    frag = unquote(frag)
    if page.startswith(SITE_URL): page = base + page[len(SITE_URL):]
    # outside the site: not ours to check
    if not page.startswith(base): return True
    key = (page, frag)
    if key not in _checked:
        try: html = urllib.request.urlopen(page, timeout=10).read().decode('utf-8', 'replace')
        except Exception: _checked[key] = False
        else: _checked[key] = not frag or re.search(rf'id="{re.escape(frag)}"', html) is not None
    return _checked[key]

CJK_TEXT = r"""
const els = [...document.querySelectorAll(
  'main h1, main h2, main h3, main p, main li, main td, header h1, .description p')];
return els.find(e => [...e.childNodes].some(
  n => n.nodeType === 3 && /[\u4e00-\u9fff]/.test(n.textContent)));
"""
ENGLISH_WITH_APOSTROPHE = r"""
return [...document.querySelectorAll('main p, main li')].find(
  e => !/[\u3000-\u9fff]/.test(e.textContent) && /[A-Za-z][\u2019'][a-z]/.test(e.textContent));
"""

def platform_fonts(browser, find_js):
    "Platform fonts Chromium used to draw the element `find_js` returns (None when it finds none)."
    probe = (f"const el = (() => {{ {find_js} }})();"
             " if (el) el.setAttribute('data-font-probe', '1'); return !!el;")
    if not browser.execute_script(probe): return None
    browser.execute_cdp_cmd('DOM.enable', {})
    browser.execute_cdp_cmd('CSS.enable', {})
    root = browser.execute_cdp_cmd('DOM.getDocument', {'depth': -1})['root']['nodeId']
    query = {'nodeId': root, 'selector': '[data-font-probe]'}
    node = browser.execute_cdp_cmd('DOM.querySelector', query)['nodeId']
    found = browser.execute_cdp_cmd('CSS.getPlatformFontsForNode', {'nodeId': node})['fonts']
    fonts = [f['familyName'] for f in found]
    browser.execute_script(
        "document.querySelector('[data-font-probe]').removeAttribute('data-font-probe')")
    return fonts

# at 1280 px: tables wider than the column, and printed blocks cut with no scroll cue
OVERFLOW = r"""
const main = document.querySelector('main').getBoundingClientRect();
const out = [];
for (const e of document.querySelectorAll('main table, main pre')) {
  if (!(e.offsetParent || e.getClientRects().length)) continue;
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  const name = e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 40);
  if (r.right > main.right + 1) out.push('sticks out of the column: ' + name);
  const scrolls = e.scrollWidth > e.clientWidth + 1;
  const cue = /auto|scroll/.test(s.overflowX) && /radial-gradient/.test(s.backgroundImage);
  if (scrolls && e.tagName === 'TABLE') out.push('wider than the column: ' + name);
  else if (scrolls && !cue) out.push('cut without a scroll cue: ' + name);
}
return out;
"""

@pytest.mark.parametrize('page', PAGES)
def test_page_in_chromium(site, browser, page):
    base, docs = site
    browser.set_window_size(1280, 1400)
    browser.get(base + page)
    # a loaded page under load
    try: WebDriverWait(browser, 20).until(lambda b: b.find_elements('css selector', 'h1'))
    except TimeoutException: pass
    assert browser.find_elements('css selector', 'h1'), f'{page}: no title'
    sidebar = browser.execute_script(
        "return [...document.querySelectorAll('#quarto-sidebar a[href]')].map(a => a.href)")
    # index, 00-04, model card, appendices, experiment log
    assert len(sidebar) >= 10, sidebar
    links = browser.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.href)")
    broken = sorted({u for u in links if not resolves(u, base, docs)})
    assert not broken, f'{page}: broken links {broken}'
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if not u.startswith(base)], f'{page}: loaded from another host'
    # at 1280 px every table fits the column; a printed block wider than it scrolls with a cue
    overflow = browser.execute_script(OVERFLOW)
    assert not overflow, f'{page}: ' + '; '.join(overflow[:3])
    nav = browser.execute_script(
        "return [...document.querySelectorAll('nav.page-navigation a.pagination-link')]"
        ".map(a => a.href)")
    want = 1 if page in (PAGES[0], 'glossary.html') else 2
    assert len(nav) == want, f'{page}: previous/next links {nav}'
    imgs = browser.execute_script(
        "return [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0])")
    failed = [s for s, ok in imgs if not ok]
    assert all(ok for _, ok in imgs), f'{page}: images that did not load {failed}'
    drawn_cjk = lambda fonts: any(k in f for f in fonts for k in CJK)
    fonts = platform_fonts(browser, CJK_TEXT)
    assert fonts and drawn_cjk(fonts), f'{page}: Chinese text drawn with {fonts}'
    # a CJK font would draw its apostrophes full-width
    latin = platform_fonts(browser, ENGLISH_WITH_APOSTROPHE)
    assert latin is None or not drawn_cjk(latin), f'{page}: English text drawn with {latin}'
    # the quick tier checks the pages, and takes no screenshots
    if os.environ.get('PNEUMO_QUICK'): return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 400):  # a desktop and a phone-sized window
        browser.set_window_size(width, 1400)
        time.sleep(0.3)
        browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
        browser.save_screenshot(str(SHOTS/page.replace('.html', f'_{width}.png')))
        if imgs:  # a second shot with the page's first plot in view
            browser.execute_script(
                "[...document.querySelectorAll('main img')].find(i => i.naturalWidth > 100)"
                ".scrollIntoView({block: 'center', behavior: 'instant'})")
            time.sleep(0.3)
            browser.save_screenshot(str(SHOTS/page.replace('.html', f'_plot_{width}.png')))
    browser.set_window_size(1280, 1400)

PLOTS = r"""
const main = document.querySelector('main'), s = getComputedStyle(main);
const right = main.getBoundingClientRect().right - parseFloat(s.paddingRight);
const column = main.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
const plots = [...main.querySelectorAll('.cell-output-display img')];
const cut = plots.filter(i => i.getBoundingClientRect().right > right + 1);
return {column: column, plots: plots.length, cut: cut.map(i => i.alt.slice(0, 50))};
"""

def phone_plots(browser, # at 400 px, on `page`
                page, # the page's name
                bad): # problems found so far, added to
    "The page's plot count; a plot wider than the column, or a column under small_text's, is bad."
    from pneumo_nb.core import PHONE_COLUMN
    r = browser.execute_script(PLOTS)
    if r['plots'] and r['column'] < PHONE_COLUMN - 1:
        bad.append(f"{page}: the column is {r['column']:.0f} px, under {PHONE_COLUMN}")
    bad += [f'{page}: plot wider than the column: {alt}' for alt in r['cut']]
    return r['plots']

def test_pages_with_plots_have_images(site):
    base, docs = site
    for page in ('data.html', 'train.html', 'eval.html'):
        assert re.search(r'<img[^>]+src=', (docs/page).read_text(encoding='utf-8')), page

def test_no_raw_markdown_in_signatures(site):
    "No markdown link or backtick leaks into the parameter comments nbdev shows in signatures."
    base, docs = site
    bad = []
    for page in docs.glob('*.html'):
        for m in re.finditer(r'<span class="co">(.*?)</span>', page.read_text(encoding='utf-8')):
            t = html.unescape(re.sub('<[^>]+>', '', m[1]))
            if '](' in t or '`' in t: bad.append(f'{page.name}: {t[:100]}')
    assert not bad, bad

LOADS = re.compile(r'<(?:script|img|iframe|source|video|audio|embed)\b[^>]*'
                   r'\bsrc\s*=\s*["\']?(?:https?:)?//[^"\'\s>]*'
                   r'|<link\b(?=[^>]*\brel\s*=\s*["\']?'
                   r'(?:stylesheet|icon|preload|modulepreload|manifest))'
                   r'[^>]*\bhref\s*=\s*["\']?(?:https?:)?//[^"\'\s>]*', re.I)
CSS_LOADS = re.compile(r'(?:@import\s+|url\()\s*["\']?(?:https?:)?//[^)"\';]*', re.I)

def test_nothing_is_loaded_from_other_hosts(site):
    "No page or style sheet loads a font, script, style sheet or image from another host."
    base, docs = site
    bad = []
    for f in sorted(docs.rglob('*')):
        if f.suffix not in ('.html', '.css'): continue
        loads = LOADS if f.suffix == '.html' else CSS_LOADS
        text = f.read_text(encoding='utf-8', errors='replace')
        bad += [f'{f.relative_to(docs)}: {m[0][:120]}' for m in loads.finditer(text)]
    assert not bad, bad

SHOWN = ("return [...document.querySelectorAll('main %s')]"
         ".filter(e => e.offsetParent !== null).length")

def test_language_switch_hides_english_and_is_remembered(site, browser):
    base, docs = site
    browser.get(base + 'data.html')
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    # bilingual by default
    assert browser.execute_script(SHOWN % '.lang-en') > 5
    assert browser.execute_script(SHOWN % '.lang-zh') > 5
    browser.find_element('css selector', '.lang-switch button[data-view=zh]').click()
    assert browser.execute_script(SHOWN % '.lang-en') == 0
    assert browser.execute_script(SHOWN % '.lang-zh') > 5
    browser.get(base + 'train.html')
    view = "return document.documentElement.getAttribute('data-lang-view')"
    assert browser.execute_script(view) == 'zh'
    assert browser.execute_script(SHOWN % '.lang-en') == 0
    browser.find_element('css selector', '.lang-switch button[data-view=both]').click()
    assert browser.execute_script(SHOWN % '.lang-en') > 5

VIEW_CHECKS = r"""
const vis = e => !!(e.offsetParent || e.getClientRects().length);
const text = e => vis(e) && e.textContent.trim().length > 0;
const main = document.querySelector('main');
const warn = [...main.querySelectorAll('p, li, div.cell-output')].filter(
  e => /not for clinical use/i.test(e.textContent) && /不可用于临床/.test(e.textContent));
const empty = [...main.querySelectorAll('section')].filter(s => {
  const h = s.querySelector(':scope > h2, :scope > h3');
  return h && vis(h) && ![...s.children].some(c => c !== h && (text(c) || c.querySelector('img')));
}).map(s => s.id);
const caption = t => {
  let e = t.closest('.cell') || t.closest('.cell-output') || t;
  while (e.parentElement && e.parentElement !== main && !e.previousElementSibling)
    e = e.parentElement;
  for (let p = e.previousElementSibling; p; p = p.previousElementSibling) {
    if (/^H[1-6]$/.test(p.tagName) || p.querySelector('table')) return false;
    if (text(p)) return true;
  }
  return false;
};
const api = [...main.querySelectorAll('.cell-output p, .cell-output h3')].filter(e => !vis(e));
return {view: document.documentElement.getAttribute('data-lang-view'),
        warnings: warn.length, warnings_shown: warn.filter(vis).length, empty: empty,
        captions: [...main.querySelectorAll('table')].map(caption), api_hidden: api.length};
"""

@pytest.mark.parametrize('width', [1280, 400])
def test_every_view_keeps_what_every_reader_needs(site, browser, width):
    "In every view: warnings, API docs, table captions show; no empty section; plots fit a phone."
    base, docs = site
    browser.set_window_size(width, 1400)
    bad, plots = [], 0
    for page in PAGES:
        seen = {}
        for view in ('both', 'zh', 'en'):
            browser.get(base + page)
            browser.execute_script(f"localStorage.setItem('pneumo_nb.lang', '{view}')")
            browser.refresh()
            r = seen[view] = browser.execute_script(VIEW_CHECKS)
            if width == 400 and view == 'both': plots += phone_plots(browser, page, bad)
            where = f'{page} at {width} px, {view} view'
            if r['view'] != view and view != 'both': bad.append(f'{where}: the view is not applied')
            if r['warnings_shown'] < r['warnings']: bad.append(f'{where}: a warning is hidden')
            if r['empty']: bad.append(f"{where}: empty sections {r['empty'][:3]}")
            if r['api_hidden']: bad.append(f"{where}: {r['api_hidden']} API doc lines hidden")
        lost = [n for n, (a, b, c) in enumerate(zip(*(seen[v]['captions'] for v in seen)))
                if a and not (b and c)]
        if lost: bad.append(f'{page} at {width} px: tables {lost[:5]} lose their caption')
    browser.execute_script("localStorage.clear()")
    browser.set_window_size(1280, 1400)
    assert width == 1280 or plots >= 15, f'{plots} plots at 400 px'
    assert not bad, '\n'.join(bad[:20])


def test_links_within_the_site_are_relative(site):
    "No page links to its own site by the published address: links work in a local preview."
    base, docs = site
    bad = [f'{f.name}: {m[0][:100]}' for f in sorted(docs.glob('*.html'))
           for m in re.finditer(r'href="' + re.escape(SITE_URL) + r'[^"]*"',
                                f.read_text(encoding='utf-8'))]
    assert not bad, f'{len(bad)} absolute links, such as ' + '; '.join(bad[:5])

def test_every_image_has_alt_text(site):
    "Every picture on every page says what it shows (plots from their cell's `#| fig-alt:`)."
    base, docs = site
    short = lambda tag: re.sub(r'data:[^"]*', 'data:…', tag)[:120]
    pages = sorted(docs.glob('*.html'))
    no_alt = r'<img\b(?![^>]*\balt="[^"]*\S[^"]*")[^>]*>'
    bad = [f'{f.name}: {short(m[0])}' for f in pages
           for m in re.finditer(no_alt, f.read_text(encoding='utf-8'))]
    assert not bad, bad
    n_imgs = sum(len(re.findall(r'<img\b', f.read_text(encoding='utf-8'))) for f in pages)
    assert n_imgs >= 15

def test_every_chapter_links_to_its_notebook(site):
    "Each chapter's page links to its notebook in the repo and says how to open it in JupyterLab."
    base, docs = site
    for nb in sorted((ROOT/'nbs').glob('[0-9][0-9]_*.ipynb')):
        page = docs/(nb.stem[3:] + '.html')
        text = page.read_text(encoding='utf-8')
        assert f'https://github.com/pneumo-nb/pneumo_nb/blob/main/nbs/{nb.name}' in text, page.name
        assert f'jupyter lab nbs/{nb.name}' in text, page.name
