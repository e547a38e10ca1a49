"""Tests of the ``python -m skreg`` job (``skreg._cli.main``)."""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPClassifierCV, _callbacks, _fused, show_versions
from skreg._cli import _kernels_note, main
from skreg._cli_progress import _progress
from skreg._cli_report import _ranks
from skreg._cli_search import _path_search, _ReportingGridSearchCV

# In-process runs stay on one core: worker start-up would dominate the tiny grid.
QUICK = ["--quick", "--n-jobs", "1"]

CLASSIFICATION_COLUMNS = [
    "rank",
    "penalty",
    "alpha",
    "dropout",
    "smoothing",
    "CV accuracy",
    "inputs kept",
    "path s",
]
REGRESSION_COLUMNS = [
    "rank",
    "penalty",
    "alpha",
    "dropout",
    "CV R^2",
    "inputs kept",
    "path s",
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


def _check_table(out, columns, n_candidates, n_inputs=64):
    header, rows = _table(out)
    positions = [header.find(column) for column in columns]
    assert -1 not in positions, header
    assert positions == sorted(positions)
    assert len(rows) == min(10, n_candidates)
    ranks = [int(row.split()[0]) for row in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    means = [float(row.split("+/-")[0].split()[-1]) for row in rows]
    if n_candidates <= 10:
        # Every candidate is shown: the ranks follow from the printed means,
        # equal means sharing the lowest rank.
        assert ranks == [1 + sum(m > mean for m in means) for mean in means]
    for row in rows:
        assert "+/-" in row
        inputs_kept = float(row.split()[-2])
        assert 0.0 <= inputs_kept <= n_inputs
    assert f"({len(rows)} of {n_candidates} candidates shown)" in out
    # Every column is explained under the table.
    legend = out[out.index("candidates shown)") :]
    for column in columns:
        assert re.search(
            rf"^{re.escape(column)}[,:]|, {re.escape(column)}[,:]", legend, re.M
        ), column
    # A progress line per candidate, in grid order, with the table's means
    # (--quick has a single alpha: a candidate is a row).
    progress = re.findall(
        rf"^\[ ?(\d+)/{n_candidates}\] (.*): CV \S+ (-?\d\.\d{{4}}) \(alpha=1\)$",
        out,
        re.M,
    )
    assert [int(i) for i, _, _ in progress] == list(range(1, n_candidates + 1))
    if n_candidates <= 10:
        assert sorted(float(m) for _, _, m in progress) == sorted(means)


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
    assert "  alpha tuned by MLPClassifierCV over {1}: a path per fold\n" in out
    # l2 only shrinks weights: every input is kept.
    _, rows = _table(out)
    assert all(row.split()[-2] == "64.0" for row in rows if " l2 " in row)
    assert "best: penalty=" in out
    skreg_accuracy = _score(out, "held-out accuracy, skreg MLPClassifier:")
    sklearn_accuracy = _score(out, "held-out accuracy, sklearn MLPClassifier:")
    assert 0.0 <= skreg_accuracy <= 1.0
    assert 0.0 <= sklearn_accuracy <= 1.0
    # scikit-learn is tuned on its own alpha scale, and says so.
    assert (
        "baseline: scikit-learn's MLPClassifier, the same network and folds, "
        "L2 penalty only,\n"
        "  alpha tuned over {0.0001, 0.1}, on scikit-learn's own scale: the same\n"
        "  alpha is about 4.5 times stronger there (it divides the penalty by the "
        "batch\n"
        "  size, 200, skreg by the 898 training rows of a fold)\n"
    ) in out
    assert re.search(r"^\[1/2\] alpha=0\.0001: CV accuracy \d\.\d{4}$", out, re.M)
    assert re.search(r"^\[2/2\] alpha=0\.1: CV accuracy \d\.\d{4}$", out, re.M)
    assert re.search(
        r"sklearn MLPClassifier: \d\.\d{4} "
        r"\(alpha=(0\.0001, about skreg's alpha=0\.00045|"
        r"0\.1, about skreg's alpha=0\.45)\)$",
        out,
        re.M,
    )


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
        (["--delimiter", ";"], ["argument --delimiter: only valid with --csv"]),
        (
            ["--delimiter", ";;"],
            ["argument --delimiter: must be one character or 'tab', got ';;'"],
        ),
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
            "a,b;y\n1,0\n",
            [],
            ["has no column 'y'; its columns are 'a', 'b;y'\n"],
        ),
        (
            "a;b;y\n1;2;0\n",
            [],
            [
                "has no column 'y'; its columns are 'a;b;y' (the header is a "
                "single column containing ';': for a semicolon-separated file use "
                "--delimiter ';')\n"
            ],
        ),
        (
            "a\tb\ty\n1\t2\t0\n",
            [],
            [
                "(the header is a single column containing '\\t': for a "
                "tab-separated file use --delimiter 'tab')\n"
            ],
        ),
        (
            "a,y\n1,0\n2,1\n",
            ["--delimiter", ";"],
            [
                "has no column 'y'; its columns are 'a,y' (the header is a single "
                "column containing ',': for a comma-separated file use --delimiter ',')"
            ],
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
    assert "usage: skreg" in out and "--dataset" in out


def test_path_search_first_alpha_equals_grid_search():
    # The first alpha of every path is a cold fit: the same fit, on the same
    # folds, as GridSearchCV's at that alpha; the others start warm.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    settings = {"hidden_layer_sizes": (5,), "max_iter": 30, "random_state": 0}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    alphas = np.array([0.1, 10.0])
    grid = {"penalty": ["l2", "l1"], "dropout": [0.0, 0.2]}
    reported = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = _path_search(
            MLPClassifierCV(
                **settings, alphas=alphas, cv=cv, scoring="accuracy", refit=False
            ),
            grid,
            alphas,
            X,
            y,
            prefix="",
            n_jobs=2,
            n_folds=3,
            report=lambda scores, indices, candidates: reported.append(
                (list(indices), len(candidates), len(scores))
            ),
        )
        plain = GridSearchCV(
            MLPClassifier(**settings),
            {**grid, "alpha": [0.1]},
            cv=cv,
            scoring="accuracy",
        ).fit(X, y)
    # A row per candidate and alpha, alphas increasing within a candidate.
    assert [p["alpha"] for p in results["params"]] == [0.1, 10.0] * 4
    first = results["mean_test_score"][::2]
    assert results["params"][::2] == plain.cv_results_["params"]
    np.testing.assert_allclose(first, plain.cv_results_["mean_test_score"])
    assert results["rank_test_score"].min() == 1
    assert np.all(results["mean_inputs_kept"] <= 4)
    # A report per group of n_jobs candidates, with every score so far.
    assert reported == [([0, 1], 4, 2), ([2, 3], 4, 4)]


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("rich_installed", [True, False])
def test_progress_bar_on_a_terminal_with_rich(monkeypatch, tty, rich_installed):
    if rich_installed:
        pytest.importorskip("rich")
    else:
        # find_spec answers as if rich were missing; an import would fail.
        find_spec = _callbacks.importlib.util.find_spec
        monkeypatch.setattr(
            _callbacks.importlib.util,
            "find_spec",
            lambda name, *a: None if name == "rich" else find_spec(name, *a),
        )
        monkeypatch.setitem(sys.modules, "rich", None)
    kwargs = _progress(_Stream(tty), {"penalty": ["l2"]}, "", "CV accuracy", [1.0])
    if tty and rich_installed:
        from sklearn.callback import ProgressBar

        assert list(kwargs) == ["progress"]
        assert isinstance(kwargs["progress"], ProgressBar)
    else:
        assert list(kwargs) == ["report"]


def test_path_search_with_progress_bar(capsys):
    pytest.importorskip("rich")
    X, y = load_iris(return_X_y=True)
    alphas = np.array([0.1, 1.0])
    kwargs = dict(prefix="", n_jobs=2, n_folds=3)
    estimator = MLPClassifierCV(
        hidden_layer_sizes=(3,),
        max_iter=5,
        random_state=0,
        alphas=alphas,
        cv=3,
        refit=False,
    )
    grid = {"penalty": ["l2", "l1"], "dropout": [0.0, 0.2, 0.4]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = _path_search(estimator, grid, alphas, X, y, **kwargs)
        shown = _path_search(
            estimator, grid, alphas, X, y, progress=_callbacks.progress_bar(), **kwargs
        )
    # The bar reaches the end and changes nothing in the results.
    assert "100%" in capsys.readouterr().out
    assert shown["params"] == plain["params"]
    np.testing.assert_array_equal(shown["mean_test_score"], plain["mean_test_score"])


def _console_script():
    """The ``skreg`` command installed next to this Python."""
    path = Path(sys.executable).parent / "skreg"
    assert path.is_file(), f"{path}: skreg is not installed with its entry point"
    return path


def test_skreg_command(tmp_path):
    result = subprocess.run(
        [_console_script(), "--quick", "--dataset", "wine"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # No warnings, also none from the parallel workers, and no kernels note.
    assert result.stderr == ""
    assert "MLPClassifier on wine" in result.stdout
    assert "held-out accuracy, skreg MLPClassifier:" in result.stdout
    # The progress lines also come in order from parallel workers (n_jobs=-1).
    _check_table(result.stdout, CLASSIFICATION_COLUMNS, n_candidates=8)


def test_python_dash_m_skreg_version(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skreg", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # -m puts the working directory first on sys.path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    names = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert names[:7] == [
        "skreg",
        "python",
        "executable",
        "platform",
        "numpy",
        "scipy",
        "scikit-learn",
    ]
    assert "BLAS" in names
    assert result.stdout.splitlines()[-1] == f"compiled kernels: {_fused.status()}"


def test_version_prints_show_versions(capsys):
    status, out, err = _run(capsys, ["--version", "--dataset", "wine"])  # no job
    assert (status, err) == (0, "")
    show_versions()
    assert out == capsys.readouterr().out
    assert re.search(r"^compiled kernels: (yes|no \(.+\))$", out, re.M)


def test_ranks_equal_for_equal_printed_scores():
    # Float noise below the printed precision, as cross-validation means have.
    noisy = 0.9806978470675576
    scores = [0.99, noisy, noisy + 4e-16, 0.98071, 0.9806, -0.5, np.nan]
    assert _ranks(scores).tolist() == [1, 2, 2, 2, 5, 6, 7]


def test_reporting_search_equals_grid_search(capsys):
    X, y = load_iris(return_X_y=True)
    grid = {"n_neighbors": [1, 3, 5, 7, 9], "weights": ["uniform", "distance"]}
    reported = []
    search = _ReportingGridSearchCV(
        KNeighborsClassifier(),
        grid,
        cv=3,
        n_jobs=2,
        report=lambda results, indices, n: reported.append((list(indices), n)),
    ).fit(X, y)
    plain = GridSearchCV(KNeighborsClassifier(), grid, cv=3, n_jobs=2).fit(X, y)
    assert search.cv_results_["params"] == plain.cv_results_["params"]
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == plain.best_params_
    # A report per group of n_jobs candidates, every candidate once, in order.
    assert reported == [
        ([0, 1], 10),
        ([2, 3], 10),
        ([4, 5], 10),
        ([6, 7], 10),
        ([8, 9], 10),
    ]


def test_csv_one_hot_encodes_string_columns(capsys, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "shop.csv"
    colors = ["red", "green", "blue"]
    lines = ["price,color,size,bought"]
    for i in range(90):
        price = rng.normal()
        color = colors[i % 3]
        bought = "yes" if (color == "red") != (price > 0.5) else "no"
        lines.append(f"{price:.3f},{color},{'SML'[i % 3]}{i % 2},{bought}")
    # A category too rare to be in every training fold or the held-out part.
    lines.append("0.1,purple,S0,no")
    path.write_text("\n".join(lines) + "\n")
    status, out, err = _run(capsys, [*QUICK, "--csv", str(path), "--target", "bought"])
    assert (status, err) == (0, "")
    assert (
        "91 rows, 3 features (2 categorical columns one-hot encoded into 10 "
        "columns: 'color', 'size'), 2 classes"
    ) in out
    _check_table(out, CLASSIFICATION_COLUMNS, n_candidates=8)
    assert "held-out accuracy, sklearn MLPClassifier:" in out


def test_csv_delimiter_and_one_feature(capsys, tmp_path):
    path = tmp_path / "semicolons.csv"
    rows = "".join(f"{i % 7};{'ab'[i % 7 > 3]}\n" for i in range(40))
    path.write_text("x;label\n" + rows)
    argv = [*QUICK, "--csv", str(path), "--target", "label"]
    status, out, err = _run(capsys, argv)
    _check_error(status, out, err, "--delimiter ';'")
    status, out, err = _run(capsys, [*argv, "--delimiter", ";"])
    assert (status, err) == (0, "")
    assert "40 rows, 1 feature, 2 classes" in out


def test_kernels_note(tmp_path):
    assert _kernels_note("yes", tmp_path / "skreg") is None
    why = "not built (No module named 'skreg._kernels')"
    assert _kernels_note(f"no ({why})", tmp_path / "skreg") == (
        f"skreg: note: compiled kernels: no ({why}); training is about 25% slower"
    )
    (tmp_path / "setup.py").touch()  # a source tree
    assert _kernels_note(f"no ({why})", tmp_path / "skreg") == (
        f"skreg: note: running the source tree {tmp_path / 'skreg'}, whose "
        "compiled kernels are not built (about 25% slower); run the installed "
        "`skreg` command instead, or build them in place with `pip install -e .`"
    )


# The kernels missing, not switched off (the second CI run sets the switch).
_WITHOUT_SWITCH = {k: v for k, v in os.environ.items() if k != "SKREG_NO_KERNELS"}


def test_job_prints_kernels_note_without_kernels(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(_fused, "_MISSING", "not built (test)")
    monkeypatch.setattr(_fused, "SWITCHED_OFF", False)
    path = tmp_path / "missing.csv"
    status, out, err = _run(capsys, ["--csv", str(path), "--target", "y"])
    assert status == 2
    note, error = err.splitlines()
    assert note.startswith("skreg: note: ") and "not built" in note
    assert error.startswith("skreg: error: cannot read")


def test_python_dash_m_in_a_source_tree_notes_missing_kernels(tmp_path):
    # A clone: the package's Python files beside a setup.py, no built kernels.
    # (An editable install would still find the kernels it built elsewhere,
    # so their import is blocked as a clone without them sees it.)
    source = Path(__file__).resolve().parents[1] / "skreg"
    for path in source.rglob("*.py"):
        copy = tmp_path / "skreg" / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text())
    (tmp_path / "setup.py").touch()
    code = (
        "import runpy, sys; sys.modules['skreg._kernels'] = None; "
        "runpy.run_module('skreg', run_name='__main__', alter_sys=True)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--csv", "missing.csv", "--target", "y"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # first on sys.path, as with python -m
        env=_WITHOUT_SWITCH,
    )
    assert result.returncode == 2
    note, error = result.stderr.splitlines()
    assert note == (
        f"skreg: note: running the source tree {tmp_path.resolve() / 'skreg'}, "
        "whose compiled kernels are not built (about 25% slower); run the "
        "installed `skreg` command instead, or build them in place with "
        "`pip install -e .`"
    )
    assert error.startswith("skreg: error: cannot read missing.csv")


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
