"""00_data's building blocks on a toy dataset: finding it, listing and scanning it, split files,
the pipeline, pneumo_split."""
import contextlib, io, shutil
import numpy as np
import pytest
from pneumo_nb.core import DataError, RunError
from pneumo_nb.data import (data_dir, find_data, list_images, scan, unparsed, unparsed_note,
                            toy_dataset, patient_split, read_split, write_split, make_dataset,
                            augmenter)
from pneumo_nb.cli import pneumo_split

@pytest.fixture
def toy(tmp_path):
    return toy_dataset(tmp_path/'toy')

def test_find_data(toy, tmp_path):
    "Layouts: complete, missing path, a file, missing class folder, no val/ (Mendeley), parent."
    assert data_dir(tmp_path/'x') == tmp_path/'x'
    assert find_data(toy) == toy
    (tmp_path/'notes.txt').write_text('x')
    with pytest.raises(DataError, match='no such dataset folder'): find_data(tmp_path/'nope')
    with pytest.raises(DataError, match='is a file, not a dataset folder'):
        find_data(tmp_path/'notes.txt')
    shutil.rmtree(toy/'val'/'NORMAL')
    with pytest.raises(DataError, match='val/NORMAL: missing folder'): find_data(toy)
    shutil.rmtree(toy/'val')
    assert find_data(toy) == toy
    toy.rename(tmp_path/'chest_xray')
    assert find_data(tmp_path) == tmp_path/'chest_xray'

def test_list_and_scan(toy, tmp_path):
    "A text file is ignored, an empty X.JPG listed without a patient; an empty class folder errors."
    (toy/'train'/'NORMAL'/'notes.txt').write_text('not an image')
    (toy/'train'/'NORMAL'/'X.JPG').write_bytes(b'')
    assert [p.name for p in list_images(toy/'train'/'NORMAL')][-1] == 'X.JPG'
    items = scan(toy)
    assert len(items) == 3*2*6 + 1 and unparsed(items)[0].path == 'train/NORMAL/X.JPG'
    note = '1 file name(s) without a patient ID, each kept as its own patient'
    assert unparsed_note(items) == note
    (toy/'test'/'NORMAL').rename(tmp_path/'moved')
    (toy/'test'/'NORMAL').mkdir()
    with pytest.raises(DataError, match='no .jpeg/.jpg/.png images'): scan(toy)

def test_split_file_round_trip(toy, tmp_path):
    "Written and read back, a split is the same; a bad row and a missing file each get a message."
    split = patient_split(scan(toy))
    assert read_split(write_split(split, tmp_path/'split.csv')) == split
    (tmp_path/'bad.csv').write_text('path,label,split,patient\nx.jpeg,2,train,p\n')
    with pytest.raises(DataError, match=r'malformed row\(s\) at line 2'):
        read_split(tmp_path/'bad.csv')
    with pytest.raises(DataError, match='no such split file'): read_split(tmp_path/'none.csv')

def test_pipeline():
    "Batch shape and type; drawing by index; the same seed, the same order."
    import tensorflow as tf
    x = np.random.default_rng(0).integers(0, 256, (40, 32, 32, 1), dtype=np.uint8)
    y = np.arange(40) % 2
    xb, _ = next(iter(make_dataset(x, y, batch_size=16, shuffle=True, augment=augmenter())))
    assert xb.shape[1:] == (32, 32, 1) and xb.dtype == tf.float32
    assert sum(len(b) for _, b in make_dataset(x, y, 16)) == 40
    assert sum(len(b) for _, b in make_dataset(x, y, 16, index=[0, 0, 1])) == 3
    epoch_labels = lambda: [b.numpy() for _, b in make_dataset(x, y, 8, shuffle=True, seed=0)]
    e1, e2 = [np.concatenate(epoch_labels()) for _ in range(2)]
    assert (e1 == e2).all()

def test_pneumo_split_refuses_to_overwrite(toy, tmp_path):
    "pneumo_split writes a toy dataset split, then refuses to write it again, leaving it unchanged."
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        pneumo_split(out=str(tmp_path/'toy_split.csv'), data=str(toy))
    before = (tmp_path/'toy_split.csv').read_text()
    assert len(read_split(tmp_path/'toy_split.csv')) == 36 and 'wrote' in out.getvalue()
    with pytest.raises(RunError, match='pass --force'):
        pneumo_split.__wrapped__(out=str(tmp_path/'toy_split.csv'), data=str(toy))
    assert (tmp_path/'toy_split.csv').read_text() == before
