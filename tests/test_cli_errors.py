"""Mistakes a user makes, through the real commands: each fails with one line that says what is
wrong, and a non-zero status."""
import pytest
from conftest import run, assert_one_line_error, tree_digest

def test_abbreviated_flags_are_refused(data_root, tmp_path):
    r = run('pneumo_train', '--data', data_root, '--out', tmp_path/'r', '--epoch', 1)
    assert_one_line_error(r, 'unrecognized arguments: --epoch 1')
    assert not (tmp_path/'r').exists()

def test_underscore_and_dash_spellings(data_root, tmp_path):
    r = run('pneumo_split', '--data', data_root, '--out', tmp_path/'s.csv', '--val_frac', '0.2',
            '--seed=3')
    assert r.returncode == 0, r.stderr

@pytest.mark.parametrize('n', ['0', '-3'])
def test_eval_bad_bootstrap_rounds(smoke_run, n):
    assert_one_line_error(run('pneumo_eval', '--run', smoke_run, '--n-boot', n, '--force'),
                          'n-boot must be at least 10')

def test_eval_not_a_number(smoke_run):
    assert_one_line_error(run('pneumo_eval', '--run', smoke_run, '--n-boot', 'many'),
                          "invalid int value: 'many'")

def test_file_where_a_folder_is_expected(tmp_path):
    (tmp_path/'data.txt').write_text('x')
    r = run('pneumo_split', '--data', tmp_path/'data.txt', '--out', tmp_path/'s.csv')
    assert_one_line_error(r, 'is a file, not a dataset folder')
    r = run('pneumo_train', '--data', tmp_path/'data.txt', '--out', tmp_path/'r')
    assert_one_line_error(r, 'is a file, not a dataset folder')

def test_run_given_as_model_file(smoke_run):
    r = run('pneumo_eval', '--run', smoke_run/'model.keras')
    assert_one_line_error(r, f'--run takes a run folder, not the file {smoke_run/"model.keras"}',
                          f'its folder is {smoke_run}')
    r = run('pneumo_predict', smoke_run/'val.csv', '--run', smoke_run/'model.keras')
    assert_one_line_error(r, 'takes a run folder')

def test_run_not_finished_or_missing(tmp_path):
    (tmp_path/'r').mkdir()
    assert_one_line_error(run('pneumo_eval', '--run', tmp_path/'r'), 'not a finished run')
    assert_one_line_error(run('pneumo_eval', '--run', tmp_path/'nowhere'), 'no such run folder')

def test_missing_required_option():
    assert_one_line_error(run('pneumo_release'), 'the following arguments are required: --run')
    assert_one_line_error(run('pneumo_train'), 'the following arguments are required: --out')

def test_gradcam_target_is_a_file(smoke_run, data_root, tmp_path):
    (tmp_path/'cams').write_text('mine')
    img = sorted((data_root/'test'/'NORMAL').iterdir())[0]
    r = run('pneumo_predict', img, '--run', smoke_run, '--gradcam', tmp_path/'cams')
    assert_one_line_error(r, 'is a file; give a folder')
    assert (tmp_path/'cams').read_text() == 'mine'

def test_resume_with_other_options(smoke_run):
    before = tree_digest(smoke_run)
    assert_one_line_error(run('pneumo_train', '--out', smoke_run, '--resume', '--epochs', 30),
                          'drop --epochs')
    assert tree_digest(smoke_run) == before

def test_split_out_is_a_folder(data_root, tmp_path):
    assert_one_line_error(run('pneumo_split', '--data', data_root, '--out', tmp_path),
                          'is a folder; give a file name')

def test_bad_option_values(data_root, tmp_path):
    bad = [(('--preset', 'vit'), 'unknown preset'), (('--imbalance', 'smote'), 'unknown imbalance'),
           (('--epochs', 0), 'epochs must be at least 1'), (('--folds', 1), 'folds must be'),
           (('--prior', 1.5), 'prior must be'), (('--keep-val',), 'needs --folds'),
           (('--split', tmp_path/'none.csv'), 'no such split file')]
    for args, msg in bad:
        out = tmp_path/f'r{len(list(tmp_path.iterdir()))}'
        assert_one_line_error(run('pneumo_train', '--data', data_root, '--out', out, *args), msg)
        assert not out.exists() or not any(out.iterdir())

def test_predict_bad_threshold_and_prior(smoke_run, data_root):
    img = sorted((data_root/'test'/'NORMAL').iterdir())[0]
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--threshold', 'best'),
                          'unknown threshold')
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--threshold', '1.5'),
                          'outside [0, 1]')
    assert_one_line_error(run('pneumo_predict', img, '--run', smoke_run, '--prior', '0'),
                          'prior must be strictly between 0 and 1')

def test_predict_nothing_to_predict(smoke_run, tmp_path):
    (tmp_path/'notes.txt').write_text('x')
    assert_one_line_error(run('pneumo_predict', tmp_path, '--run', smoke_run),
                          'no image files given')

def test_bench_out_exists(data_root, tmp_path):
    (tmp_path/'b').mkdir()
    r = run('pneumo_bench', '--data', data_root, '--out', tmp_path/'b', '--quick')
    assert_one_line_error(r, 'exists; not overwriting')

def test_docs_outside_a_checkout(tmp_path):
    "An installed package alone cannot build the site: one line says it needs a checkout."
    r = run('pneumo_docs', '--quarto', 'no', cwd=tmp_path)
    assert_one_line_error(r, 'not in one', 'settings.ini')
    assert list(tmp_path.iterdir()) == []
