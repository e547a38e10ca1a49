"""Tests of the ``python -m skreg`` job (``skreg._cli.main``)."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg._cli import _zero_share, main

# In-process runs stay on one core: worker start-up would dominate the tiny grid.
QUICK = ["--quick", "--n-jobs", "1"]

CLASSIFICATION_COLUMNS = [
    "rank",
    "penalty",
    "alpha",
    "dropout",
    "smoothing",
    "CV accuracy",
    "zero %",
    "fit s",
]
REGRESSION_COLUMNS = [
    "rank",
    "penalty",
    "alpha",
    "dropout",
    "CV R^2",
    "zero %",
    "fit s",
]


def _run(capsys, argv):
    """Run ``main(argv)``; return its status, stdout and stderr."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _table(out, first_column="rank"):
    """The header and body rows of the ranked table in the job's output."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_column))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("("))
    return lines[start], lines[start + 1 : end]


def _check_table(out, columns, n_candidates):
    header, rows = _table(out)
    positions = [header.find(column) for column in columns]
    assert -1 not in positions, header
    assert positions == sorted(positions)
    assert len(rows) == min(10, n_candidates)
    ranks = [int(row.split()[0]) for row in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for row in rows:
        assert "+/-" in row
        zero_percent = float(row.split()[-2])
        assert 0.0 <= zero_percent <= 100.0
    assert f"({len(rows)} of {n_candidates} candidates shown)" in out


def _score(out, prefix):
    """The number on the output line starting with ``prefix``."""
    line = next(line for line in out.splitlines() if line.startswith(prefix))
    return float(line[len(prefix) :].split()[0])


def _check_error(status, out, err, *fragments):
    assert status == 2
    assert out == ""
    assert err.startswith("skreg: error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def _write_iris_csv(path, labels="names"):
    """Write iris as a CSV; the target is named, integer or float labelled."""
    data = load_iris()
    names = np.array(["setosa", "versicolor", "virginica"])
    target = {"names": names[data.target], "integers": data.target}[labels]
    with open(path, "w") as file:
        file.write("sepal_length,sepal_width,species,petal_length,petal_width\n")
        for x, t in zip(data.data, target):
            file.write(f"{x[0]},{x[1]},{t},{x[2]},{x[3]}\n")
    return path


def _write_regression_csv(path, n_rows=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 3))
    y = X @ [1.5, -2.0, 0.5] + 0.1 * rng.normal(size=n_rows)
    with open(path, "w") as file:
        file.write("a,b,c,y\n")
        for row, target in zip(X, y):
            file.write(",".join(f"{v:.6f}" for v in row) + f",{target:.6f}\n")
    return path


def test_default_dataset_prints_table_and_both_held_out_scores(capsys):
    status, out, err = _run(capsys, QUICK)
    assert status == 0
    assert err == ""
    assert "MLPClassifier on digits" in out
    assert "1797 rows, 64 features, 10 classes" in out
    _check_table(out, CLASSIFICATION_COLUMNS, n_candidates=8)
    assert "best: penalty=" in out
    skreg_accuracy = _score(out, "held-out accuracy, skreg MLPClassifier:")
    sklearn_accuracy = _score(out, "held-out accuracy, sklearn MLPClassifier:")
    assert 0.0 <= skreg_accuracy <= 1.0
    assert 0.0 <= sklearn_accuracy <= 1.0


def test_wine(capsys):
    status, out, err = _run(capsys, [*QUICK, "--dataset", "wine", "--cv", "2"])
    assert (status, err) == (0, "")
    assert "MLPClassifier on wine" in out
    assert "2 folds" in out
    _check_table(out, CLASSIFICATION_COLUMNS, n_candidates=8)
    assert "held-out accuracy, sklearn MLPClassifier:" in out


def test_diabetes_is_regression(capsys):
    status, out, err = _run(capsys, [*QUICK, "--dataset", "diabetes"])
    assert (status, err) == (0, "")
    assert "MLPRegressor on diabetes" in out
    _check_table(out, REGRESSION_COLUMNS, n_candidates=4)
    assert "smoothing" not in out
    assert _score(out, "held-out R^2, skreg MLPRegressor:") <= 1.0
    # scikit-learn's baseline is a classifier; there is none for regression.
    assert "sklearn" not in out


def test_test_size_sets_held_out_rows(capsys):
    argv = [*QUICK, "--dataset", "wine", "--test-size", "0.5", "--random-state", "3"]
    status, out, _ = _run(capsys, argv)
    assert status == 0
    assert "89 for training, 89 held out" in out


def test_csv_classification_with_named_labels(capsys, tmp_path):
    path = _write_iris_csv(tmp_path / "iris.csv")
    status, out, err = _run(capsys, [*QUICK, "--csv", str(path), "--target", "species"])
    assert (status, err) == (0, "")
    assert "MLPClassifier on" in out and "iris.csv" in out
    assert "150 rows, 4 features, 3 classes" in out
    _check_table(out, CLASSIFICATION_COLUMNS, n_candidates=8)


def test_csv_auto_task_takes_few_integers_for_classes(capsys, tmp_path):
    path = _write_iris_csv(tmp_path / "iris.csv", labels="integers")
    status, out, _ = _run(capsys, [*QUICK, "--csv", str(path), "--target", "species"])
    assert status == 0
    assert "MLPClassifier" in out and "3 classes" in out

    argv = [*QUICK, "--csv", str(path), "--target", "species", "--task", "regression"]
    status, out, _ = _run(capsys, argv)
    assert status == 0
    assert "MLPRegressor" in out


def test_csv_regression(capsys, tmp_path):
    path = _write_regression_csv(tmp_path / "reg.csv")
    status, out, err = _run(capsys, [*QUICK, "--csv", str(path), "--target", "y"])
    assert (status, err) == (0, "")
    assert "MLPRegressor on" in out
    assert "120 rows, 3 features, numeric target" in out
    _check_table(out, REGRESSION_COLUMNS, n_candidates=4)
    assert "held-out R^2, skreg MLPRegressor:" in out


def test_csv_tolerates_bom_blank_lines_and_spaces(capsys, tmp_path):
    path = tmp_path / "spaced.csv"
    rows = "".join(f" {i % 7}, {i % 3} ,{'ab'[i % 2]}\n\n" for i in range(40))
    path.write_text("\ufeff x , y ,label\n" + rows, encoding="utf-8")
    status, out, err = _run(capsys, [*QUICK, "--csv", str(path), "--target", "label"])
    assert (status, err) == (0, "")
    assert "40 rows, 2 features, 2 classes" in out


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--cv", "1"], ["argument --cv: must be an integer >= 2, got '1'"]),
        (["--cv", "three"], ["argument --cv: must be an integer, got 'three'"]),
        (["--test-size", "1.5"], ["argument --test-size: must be strictly between"]),
        (["--test-size", "x"], ["argument --test-size: must be a number, got 'x'"]),
        (["--n-jobs", "0"], ["argument --n-jobs: must not be 0"]),
        (["--random-state", "-1"], ["argument --random-state: must be an integer >="]),
        (["--dataset", "iris"], ["argument --dataset: invalid choice: 'iris'"]),
        (["--task", "ranking"], ["argument --task: invalid choice: 'ranking'"]),
        (["--bogus"], ["unrecognized arguments: --bogus"]),
        (["--csv", "data.csv"], ["argument --csv: requires --target COLUMN"]),
        (["--target", "y"], ["argument --target: only valid with --csv"]),
        (["--task", "regression"], ["argument --task: only valid with --csv"]),
        (
            ["--dataset", "wine", "--csv", "data.csv", "--target", "y"],
            ["argument --csv: not allowed with argument --dataset"],
        ),
    ],
)
def test_bad_arguments(capsys, argv, fragments):
    status, out, err = _run(capsys, argv)
    _check_error(status, out, err, *fragments)


def test_missing_file(capsys, tmp_path):
    path = tmp_path / "no-such-file.csv"
    status, out, err = _run(capsys, ["--csv", str(path), "--target", "y"])
    _check_error(status, out, err, f"cannot read {path}", "No such file")


def test_directory_instead_of_file(capsys, tmp_path):
    status, out, err = _run(capsys, ["--csv", str(tmp_path), "--target", "y"])
    _check_error(status, out, err, f"cannot read {tmp_path}")


def test_missing_target_column(capsys, tmp_path):
    path = _write_iris_csv(tmp_path / "iris.csv")
    status, out, err = _run(capsys, ["--csv", str(path), "--target", "Species"])
    _check_error(
        status, out, err, "has no column 'Species'", "'species'", "'sepal_length'"
    )


@pytest.mark.parametrize(
    "content, argv, fragments",
    [
        ("", [], ["is empty"]),
        ("a,b,y\n", [], ["has a header but no data rows"]),
        (
            "a,y\n1,0\n2,1\nthree,0\n",
            [],
            ["line 4: column 'a' is not numeric: 'three'"],
        ),
        ("a,b,y\n1,2,0\n1,,1\n", [], ["line 3: column 'b' has a missing value"]),
        ("a,b,y\n1,2,0\n1,inf,1\n", [], ["line 3: column 'b' is not finite: 'inf'"]),
        ("a,b,y\n1,2,0\n1,2\n", [], ["line 3: expected 3 fields, found 2"]),
        ("y\n1\n2\n", [], ["no feature columns besides 'y'"]),
        ("a,y,y\n1,2,3\n", [], ["more than one column named 'y'"]),
        ("a,y\n1,0\n2,\n", [], ["line 3: target column 'y' has a missing value"]),
        (
            "a,y\n1,0\n2,cat\n",
            ["--task", "regression"],
            ["line 3: target column 'y' is not numeric: 'cat'"],
        ),
        (
            "a,y\n1,0.5\n2,1.5\n",
            ["--task", "classification"],
            ["non-integer numbers", "--task regression"],
        ),
        ("a,y\n1,0\n2,0\n3,0\n", [], ["the target has a single class (0)"]),
        ("a,y\n1,0\n2,0\n3,0\n4,1\n", [], ["class 1 has a single row"]),
        (
            "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(6)),
            ["--cv", "5"],
            ["training rows, fewer than --cv 5 folds"],
        ),
    ],
)
def test_malformed_csv(capsys, tmp_path, content, argv, fragments):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status, out, err = _run(capsys, ["--csv", str(path), "--target", "y", *argv])
    _check_error(status, out, err, *fragments)


def test_not_utf8(capsys, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("a,y\n1,caf\xe9\n".encode("latin-1"))
    status, out, err = _run(capsys, ["--csv", str(path), "--target", "y"])
    _check_error(status, out, err, f"cannot read {path}: not UTF-8 text")


def test_help_returns_zero(capsys):
    status, out, _ = _run(capsys, ["--help"])
    assert status == 0
    assert "usage: python -m skreg" in out and "--dataset" in out


def test_zero_share_counts_exact_zeros():
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        SklearnMLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0),
    )
    model.fit(X, y)
    model[-1].coefs_[0][:2] = 0.0  # 2 of 4 rows of the (4, 5) first layer
    n_weights = 4 * 5 + 5 * 3
    assert _zero_share(model, X, y) == pytest.approx(10 / n_weights)


def test_python_dash_m_skreg(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skreg", "--quick", "--dataset", "wine"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # -m puts the working directory first on sys.path
    )
    assert result.returncode == 0, result.stderr
    # No warnings, also none from the parallel workers.
    assert result.stderr == ""
    assert "MLPClassifier on wine" in result.stdout
    assert "held-out accuracy, skreg MLPClassifier:" in result.stdout


def test_python_dash_m_skreg_error_exit_status(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skreg", "--cv", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # -m puts the working directory first on sys.path
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == "skreg: error: argument --cv: must be an integer >= 2, got '1'\n"
    )
