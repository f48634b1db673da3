"""Films as users have them, with the shipped model and the example films (no dataset needed):
phone photos with an EXIF orientation, films unlike the training films, DICOM for pneumo_adapt,
and a call with nothing to predict."""
import csv, json
import numpy as np
import pytest
from PIL import Image, ImageOps
from conftest import run, assert_one_line_error, offline_env
from pneumo_nb.images import load_image, write_dicom
from pneumo_nb.examples import example_films

FILMS = example_films()
ROTATE = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90,
          8: Image.Transpose.ROTATE_270}

def stored_on_its_side(src, dest, orientation):
    "A JPEG copy of `src` stored as a phone does: pixels turned, EXIF orientation to undo it."
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.open(src).transpose(ROTATE[orientation]).save(dest, quality=95, exif=exif)
    return dest

def probabilities(*paths, extra=()):
    "The shipped model's P(pneumonia) for `paths`, from pneumo_predict --json, and its stderr."
    r = run('pneumo_predict', *paths, '--json', *extra, env=offline_env())
    assert r.returncode == 0, r.stderr
    return [json.loads(l)['prob'] for l in r.stdout.splitlines()], r.stderr

def test_exif_rotated_films_get_the_upright_probability(tmp_path):
    "A film stored on its side with an EXIF orientation is read upright: same probability to 0.01."
    films = [p for p, _ in FILMS[::3]]   # 3 films, both classes
    copies = [stored_on_its_side(f, tmp_path/f'{f.stem}_o{o}.jpeg', o)
              for f in films for o in ROTATE]
    for c in copies: assert Image.open(c).getexif()[0x0112] in ROTATE   # the tag is really there
    probs, _ = probabilities(*films, *copies)
    upright, turned = probs[:len(films)], probs[len(films):]
    for k, p in enumerate(turned):
        want = upright[k//len(ROTATE)]
        assert abs(p - want) <= 0.01, (copies[k].name, p, want)
    lying = load_image(copies[0]).astype(float)
    # the pixels, not only the probability
    assert np.abs(lying - load_image(films[0]).astype(float)).mean() < 2

def test_a_film_ignoring_its_orientation_would_differ(tmp_path):
    "The check can fail: the same pixels without the tag, as an EXIF-blind loader sees, differ."
    f = FILMS[0][0]
    Image.open(f).transpose(ROTATE[6]).save(tmp_path/'side.jpeg', quality=95)
    side = load_image(tmp_path/'side.jpeg').astype(float)
    assert np.abs(side - load_image(f).astype(float)).mean() > 10

def test_wide_and_bordered_films_get_a_warning(tmp_path):
    "A film much wider than tall, or with a wide dark border, gets a one-line warning, not silence."
    film = Image.open(FILMS[4][0]).convert('L')
    wide = Image.new('L', (film.width*3, film.height))
    for k in range(3): wide.paste(film, (k*film.width, 0))
    wide.save(tmp_path/'wide.jpeg')
    border = (film.width//3, film.height//3)
    ImageOps.expand(film, border=border, fill=0).save(tmp_path/'border.png')
    film.save(tmp_path/'plain.png')
    files = [tmp_path/n for n in ('wide.jpeg', 'border.png', 'plain.png')]
    probs, err = probabilities(*files)
    assert len(probs) == 3
    warned = [l for l in err.splitlines() if 'warning:' in l]
    assert len(warned) == 2, err
    assert 'wide.jpeg' in warned[0] and 'times as wide as tall' in warned[0]
    assert 'border.png' in warned[1] and 'dark bands' in warned[1]
    r = run('pneumo_predict', *files, '--out', tmp_path/'p.csv', env=offline_env())
    assert r.returncode == 0 and '2 film(s) unlike the training films' in r.stdout, r.stdout
    rows = list(csv.DictReader(open(tmp_path/'p.csv')))
    assert [bool(row['warning']) for row in rows] == [True, True, False]

def test_nothing_to_predict_names_the_examples():
    r = run('pneumo_predict', env=offline_env())
    assert_one_line_error(r, 'no image files given', '--examples')

def test_adapt_reads_dicom(tmp_path):
    "pneumo_predict and pneumo_adapt read DICOM (white high, and MONOCHROME1) with the one loader."
    pytest.importorskip('pydicom')
    site = tmp_path/'site'
    site.mkdir()
    for k, (p, _) in enumerate(FILMS):
        pixels = np.asarray(Image.open(p).convert('L'), np.uint16)*16
        write_dicom(site/f'{p.stem}.dcm', pixels, k % 2 == 1)
    dicoms = [site/f'{p.stem}.dcm' for p, _ in FILMS]
    probs, _ = probabilities(*dicoms, *[p for p, _ in FILMS])
    # the same films, decoded another way
    assert np.allclose(probs[:8], probs[8:], atol=0.05), probs
    r = run('pneumo_adapt', '--images', site, '--out', tmp_path/'adapted', '--min-images', 8,
            env=offline_env())
    assert r.returncode == 0, r.stderr
    info = json.loads((tmp_path/'adapted'/'adapt.json').read_text())
    assert (info['n_images'], info['unreadable']) == (8, 0), info
