from test_site import PAGES
PROBE = r"""
const out = [];
for (const e of document.querySelectorAll('main table')) {
  if (!(e.offsetParent || e.getClientRects().length)) continue;
  const box = e.closest('.cell-output, .table-responsive, div') || e;
  const w = Math.max(e.scrollWidth, e.getBoundingClientRect().width);
  const col = document.querySelector('main').clientWidth;
  if (e.scrollWidth > e.clientWidth + 1 || w > col + 1)
    out.push(Math.round(e.scrollWidth) + '/' + col + ' ' + e.textContent.trim().slice(0, 60));
}
return out;
"""
def test_probe(site, browser):
    base, docs = site
    for w in (1280, 400):
        browser.set_window_size(w, 1400)
        for page in PAGES:
            browser.get(base + page)
            for m in browser.execute_script(PROBE): print(w, page, m)
