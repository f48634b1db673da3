"""`pneumo_adapt`: a new run from unlabelled images; the source run is never touched; too few images
are refused in one line."""
import json, shutil, subprocess, sys, textwrap
from conftest import run, assert_one_line_error, tree_digest

def images_folder(data_root, dest, n):
    dest.mkdir()
    for f in sorted((data_root/'test'/'NORMAL').iterdir())[:n]: shutil.copy(f, dest/f.name)
    return dest

def test_too_few_images_is_refused_and_run_untouched(smoke_run, data_root, tmp_path):
    before = tree_digest(smoke_run)
    folder = images_folder(data_root, tmp_path/'site', 5)
    (folder/'broken.jpeg').write_bytes(b'')
    r = run('pneumo_adapt', '--run', smoke_run, '--images', folder, '--out', tmp_path/'adapted')
    assert_one_line_error(r, 'only 5 readable image(s)', 'at least 32')
    assert tree_digest(smoke_run) == before and not (tmp_path/'adapted').exists()

def test_adapt_and_evaluate(smoke_run, data_root, tmp_path):
    before = tree_digest(smoke_run)
    folder = images_folder(data_root, tmp_path/'site', 40)
    (folder/'broken.jpeg').write_bytes(b'')
    (folder/'notes.txt').write_text('x')
    r = run('pneumo_adapt', '--run', smoke_run, '--images', folder, '--out', tmp_path/'adapted',
            '--prevalence')
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'skipped 1 unreadable image' in r.stderr and 'estimated pneumonia prevalence' in r.stdout
    info = json.loads((tmp_path/'adapted'/'adapt.json').read_text())
    counts = (info['n_images'], info['unreadable'], info['not_images'])
    assert counts == (40, 1, 1) and 0 < info['prevalence_estimate'] < 1
    assert tree_digest(smoke_run) == before                      # the source run is left as it was
    code = textwrap.dedent(f"""
        import json, numpy as np
        from pneumo_nb.runs import load_run
        from pneumo_nb.images import image_files, load_images
        from pneumo_nb.train import bn_probes
        cfg, src = load_run({str(smoke_run)!r}); _, new = load_run({str(tmp_path/'adapted')!r})
        files = image_files([{str(folder)!r}])[0]
        x = load_images(files, cfg.image_size, cfg.channels)[0].astype('float32')
        (bn, probe), (bn_src, _) = bn_probes(new)[0], bn_probes(src)[0]
        # the new images' statistics at the first BatchNorm
        seen = np.asarray(probe(x, training=False)[0]).mean(0)
        gaps = [float(np.abs(np.asarray(b.moving_mean) - seen).max()) for b in (bn, bn_src)]
        print(json.dumps(gaps))""")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    new_gap, src_gap = json.loads(r.stdout.strip().splitlines()[-1])
    # AdaBN re-estimated BatchNorm on the new images
    assert new_gap < 1e-3 < src_gap, (new_gap, src_gap)
    r = run('pneumo_eval', '--run', tmp_path/'adapted', '--n-boot', 20)
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((tmp_path/'adapted'/'eval'/'metrics.json').read_text())
    assert m['adapted']['images'] == str(folder)
    assert set(m['thresholds']) == {'0.5', 'declared_prior'}
    card = (tmp_path/'adapted'/'eval'/'model_card.md').read_text()
    assert 'adapted to the unlabelled images' in card
    r = run('pneumo_adapt', '--run', smoke_run, '--images', folder, '--out', tmp_path/'adapted')
    assert_one_line_error(r, 'exists; not overwriting')
