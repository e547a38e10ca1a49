"""Smoke tests of benchmarks/bench_fit.py, bench_select.py and the skreg side of
bench_lassonet.py: they run and their tables are well formed.

No timing is asserted: CI machines are too noisy for that. The point is that
the benchmark keeps working as the estimators change.
"""

import importlib.util
import io
import json
import math
import pathlib
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skreg import mlp_path

BENCH_PATH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fit.py"

# Every case except the two large-network fit cases already covered by the
# f32 one: keeps the smoke run well under 20 s.
SUBSET = [
    "mlp256-f32",
    "mlp256-f32-reg",
    "digits-small",
    "lbfgs-mid",
    "predict_proba",
    "peak-memory",
]


@pytest.fixture(scope="module")
def bench():
    # benchmarks/ is not a package; load the script by path. It goes into
    # sys.modules first because pickling or dataclasses would look it up there.
    spec = importlib.util.spec_from_file_location("bench_fit", BENCH_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_fit"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_fit", None)


@pytest.fixture(scope="module")
def quick_run(bench, tmp_path_factory):
    json_path = tmp_path_factory.mktemp("bench") / "results.json"
    out = io.StringIO()
    rows = bench.main(
        ["--quick", "--cases", ",".join(SUBSET), "--json", str(json_path)], out=out
    )
    return rows, out.getvalue(), json_path


def test_quick_rows_per_case(quick_run):
    rows, _, _ = quick_run
    for case in SUBSET:
        libs = {r["library"] for r in rows if r["case"] == case}
        assert {"sklearn", "skreg"} <= libs, case
    assert {r["case"] for r in rows} == set(SUBSET)


def _sklearn(rows, row):
    (base,) = [
        r["values"]
        for r in rows
        if r["case"] == row["case"] and r["library"] == "sklearn"
    ]
    return base


def test_quick_numbers_finite_positive(quick_run):
    rows, _, _ = quick_run
    for row in rows:
        for key in ("median", "min", "max"):
            assert math.isfinite(row[key]) and row[key] > 0, row
        assert row["min"] <= row["median"] <= row["max"], row
        if row["library"] != "sklearn":
            assert math.isfinite(row["ratio"]) and row["ratio"] > 0, row
            paired = [v / b for v, b in zip(row["values"], _sklearn(rows, row))]
            assert row["paired_ratio"] == pytest.approx(
                sorted(paired)[len(paired) // 2]
            )
        if row["case"] != "peak-memory":
            share = row["roofline_share"]
            assert math.isfinite(share) and share > 0, row


def test_quick_table_and_header_printed(quick_run):
    _, text, _ = quick_run
    assert "OPENBLAS_CORETYPE=" in text
    assert "numpy" in text and "sklearn" in text
    table_lines = [
        line
        for line in text.splitlines()
        if line.split()[:1] and line.split()[0] in SUBSET
    ]
    assert len(table_lines) >= 2 * len(SUBSET)


def test_quick_json_written(quick_run):
    rows, _, json_path = quick_run
    data = json.loads(json_path.read_text())
    assert len(data["rows"]) == len(rows)
    assert data["cases"] == SUBSET
    assert "threadpools" in data["environment"]


def test_paired_ratio_is_the_median_of_within_repeat_ratios(bench):
    # A slow spell in repeats 2 and 3 for sklearn only: the ratio of medians
    # (0.3 / 2) and the paired ratio (median of 3, 0.1, 0.1) disagree.
    raw = {"sklearn": [1.0, 2.0, 3.0], "skreg": [3.0, 0.2, 0.3]}
    rows = bench._rows("case", "s/epoch", raw, {lib: [{}] * 3 for lib in raw})
    (skreg_row,) = [r for r in rows if r["library"] == "skreg"]
    assert skreg_row["ratio"] == pytest.approx(0.15)
    assert skreg_row["paired_ratio"] == pytest.approx(0.1)
    (sklearn_row,) = [r for r in rows if r["library"] == "sklearn"]
    assert sklearn_row["paired_ratio"] is None


def test_no_kernels_runs_the_numpy_code_and_says_so(bench, monkeypatch):
    fused = pytest.importorskip("skreg._fused")
    # The option switches the kernels off for the rest of the process; the
    # monkeypatch puts them back for the tests that follow.
    names = fused.NAMES
    for name in names:
        monkeypatch.setattr(fused, name, getattr(fused, name))
    out = io.StringIO()
    bench.main(["--quick", "--cases", "digits-small", "--no-kernels"], out=out)
    assert all(getattr(fused, name) is None for name in names)
    if fused._kernels is None:
        expected = f"numpy code (kernels in use: {fused.status()})"
    else:
        expected = "built, switched off (--no-kernels)"
    assert f"skreg kernels: {expected}\n" in out.getvalue()


def test_kernels_state_is_reported(quick_run):
    _, text, _ = quick_run
    assert "skreg kernels: " in text


def test_unknown_case_rejected(bench):
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--cases", "no-such-case"], out=io.StringIO())


def test_other_cpu_share_subtracts_the_benchmarks_own_time(bench):
    # 2 s of wall time on 2 cores: the machine was busy 4 CPU-seconds, 2.5 of
    # them this process's, so others used 1.5 of the 4 available.
    start, end = (10.0, 1.0, 100.0), (14.0, 3.5, 102.0)
    assert bench.other_cpu_share(start, end, cores=2) == pytest.approx(0.375)
    # Counters that do not line up never give a negative share.
    assert bench.other_cpu_share(start, (11.0, 3.5, 102.0), cores=2) == 0.0
    assert bench.other_cpu_share((None, 1.0, 0.0), end, cores=2) is None


def test_speed_warning_names_the_slow_moments(bench):
    # (all threads, one thread) microseconds: 190 and 330 on a quiet machine.
    quiet, spell = (190.0, 330.0), (300.0, 330.0)
    probes = {"before mlp256-f32": spell, "before digits-small": quiet, "end": quiet}
    warning = bench.speed_warning(probes, threads=2)
    assert warning.startswith("WARNING: the machine ran slow before mlp256-f32 (a")
    assert "took 190 to 300 us on 2 BLAS thread(s)" in warning
    # A run inside a spell throughout: the probes agree, the speed-up is lost.
    warning = bench.speed_warning({"before a": spell, "end": spell}, threads=2)
    assert warning.startswith("WARNING: the machine ran slow before a, end (a")
    # Quiet, within 25% of each other: no warning; nor on one thread, where
    # there is no speed-up to lose.
    assert bench.speed_warning({"before a": quiet, "end": (237.0, 330.0)}, 2) is None
    assert bench.speed_warning({"before a": (330.0, 330.0)}, threads=1) is None


def test_speed_probes_are_reported(quick_run):
    rows, text, json_path = quick_run
    assert "(speed probe before it: " in text
    probes = json.loads(json_path.read_text())["environment"]["speed_probes_us"]
    assert set(probes) == {f"before {case}" for case in SUBSET} | {"end"}
    assert all(every > 0 and one > 0 for every, one in probes.values())


def test_bench_select_quick_run():
    # benchmarks/bench_select.py: the pruned variants predict the same, and
    # the table has a row per variant (no timing asserted).
    path = BENCH_PATH.with_name("bench_select.py")
    spec = importlib.util.spec_from_file_location("bench_select", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = io.StringIO()
    rows, max_diff = module.main(["--quick", "--repeats", "2"], out=out)
    assert [row["variant"] for row in rows] == [
        "full",
        "pruned",
        "pruned+inputs",
        "pruned+inputs (sliced)",
    ]
    assert max_diff < 1e-12
    assert rows[0]["ratio"] == 1.0
    assert all(math.isfinite(row["median"]) and row["median"] > 0 for row in rows)
    assert "kept" in out.getvalue()


@pytest.fixture(scope="module")
def bench_lassonet():
    path = BENCH_PATH.with_name("bench_lassonet.py")
    spec = importlib.util.spec_from_file_location("bench_lassonet", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_lassonet_path_is_mlp_paths_with_gaps_bisected(bench_lassonet):
    # The skreg side needs no lassonet: its grid points are mlp_path's fits,
    # and a bisection adds the geometric mean of a gap's alphas.
    X, y = make_classification(n_samples=200, n_features=12, random_state=0)
    alphas = np.logspace(-1, 1.5, 6)
    estimator = bench_lassonet.path_estimator(max_iter=30)
    grid = bench_lassonet.skreg_path(X, y, alphas, estimator=estimator, bisections=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = mlp_path(
            X, y, alphas=alphas, estimator=estimator, return_models=True
        )
    assert [alpha for alpha, _ in grid] == list(reference.alphas[: len(grid)])
    for i, (_, model) in enumerate(grid):
        for W, W_path in zip(model.coefs_, reference.coefs[i]):
            np.testing.assert_array_equal(W, W_path)
    # The path stops at the first alpha that keeps no input.
    counts = [model.n_features_kept_ for _, model in grid]
    assert 0 not in counts[:-1]

    filled = bench_lassonet.skreg_path(X, y, alphas, estimator=estimator, bisections=1)
    expected = [grid[0][0]]
    for (low, model_low), (high, model_high) in zip(grid, grid[1:]):
        if model_low.n_features_kept_ - model_high.n_features_kept_ > 1:
            expected.append(np.sqrt(low * high))
        expected.append(high)
    np.testing.assert_allclose([alpha for alpha, _ in filled], expected)
    assert len(expected) > len(grid)


def test_bench_lassonet_best_within(bench_lassonet):
    points = [
        ("a", np.arange(5), 0.9, 0.95),
        ("b", np.arange(2), 0.7, 0.8),
        ("c", np.arange(0), 0.5, 0.5),
    ]
    assert bench_lassonet.best_within(points, (0, 1, 2, 5), 2) == [0.5, 0.5, 0.7, 0.9]
    assert bench_lassonet.best_within(points, (1, 4), 3) == [0.5, 0.8]
    assert bench_lassonet.best_within(points[:1], (4,), 2) == [None]
    # A ranked point counts for the refit only.
    ranked = [*points, ("top 1", np.arange(1), np.nan, 0.6)]
    assert bench_lassonet.best_within(ranked, (1,), 2) == [0.5]
    assert bench_lassonet.best_within(ranked, (1,), 3) == [0.6]


def test_bench_lassonet_ranked_points_are_the_most_important_inputs(bench_lassonet):
    X, y = make_classification(n_samples=200, n_features=12, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = bench_lassonet.path_estimator(max_iter=30, alpha=3.0).fit(X, y)
    importances = model.feature_importances_
    assert model.n_features_kept_ > 2
    points = bench_lassonet.ranked_points(3.0, model)
    assert [kept.size for _, kept, _ in points] == list(
        range(1, model.n_features_kept_)
    )
    for _, kept, accuracy in points:
        others = np.setdiff1d(np.arange(12), kept)
        assert importances[kept].min() > importances[others].max()
        assert np.isnan(accuracy)


def test_bench_lassonet_without_lassonet(bench_lassonet, monkeypatch):
    monkeypatch.setitem(sys.modules, "lassonet", None)
    out = io.StringIO()
    assert bench_lassonet.main(["--data", "breast_cancer"], out=out) is None
    assert "lassonet is not installed" in out.getvalue()
