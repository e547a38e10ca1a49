"""Benchmark skreg's MLPs against scikit-learn's in one process.

Run ``python benchmarks/bench_fit.py`` (see ``benchmarks/README.md``). Both
libraries see the same data and settings, alternate within every repeat (the
CI machines have 2 noisy cores, so a slow spell hits both sides alike) and the
table quotes medians with min and max beside them.

The GEMM roofline is measured in the same run: numpy matmuls of exactly the
shapes one epoch needs, in the same dtype, best of several repeats. Its ratio
to an epoch's time says how much of the epoch is spent outside the matrix
products that no implementation can avoid.
"""

import argparse
import contextlib
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np
import scipy
import sklearn
import threadpoolctl
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

CASES = (
    "mlp256-f32",
    "mlp256-f64",
    "mlp256-f32-reg",
    "digits-small",
    "lbfgs-mid",
    "predict_proba",
    "peak-memory",
)

# Full-size and --quick settings. Quick keeps every code path (same networks,
# solvers and dtypes) and only shrinks the data and the number of epochs, so a
# CI smoke run exercises what the full run measures.
FULL = {
    "rows": 50_000,
    "features": 100,
    "classes": 10,
    "epochs": 3,
    "digits_epochs": 20,
    "lbfgs_rows": 5_000,
    "lbfgs_features": 50,
    "lbfgs_iter": 50,
    "memory_epochs": 2,
    "predict_calls": 3,
    # GEMM-roofline timings per repeat (at least); the best overall is kept.
    "roofline_inner": 2,
    "repeats": 5,
}
QUICK = {
    "rows": 2_000,
    "features": 100,
    "classes": 10,
    "epochs": 2,
    "digits_epochs": 2,
    "lbfgs_rows": 500,
    "lbfgs_features": 50,
    "lbfgs_iter": 3,
    "memory_epochs": 1,
    "predict_calls": 1,
    "roofline_inner": 2,
    "repeats": 1,
}

SEED = 0
HIDDEN = (256, 256)
BATCH = 256
REG_EXTRAS = {"dropout": 0.2, "input_dropout": 0.1, "penalty": "l1"}

# Which direction is better for each unit, for the notes under the table.
LOWER_IS_BETTER = {"s/epoch": True, "s/iter": True, "MB": True, "rows/s": False}


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(skreg_module):
    """Versions, BLAS and the OpenBLAS overrides a reader needs to judge numbers."""
    try:
        cores_usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores_usable = os.cpu_count()
    # threadpool_info only lists libraries already loaded; numpy's BLAS is by
    # now, scipy's and the OpenMP runtime come with sklearn's import.
    blas = [
        {
            k: info.get(k)
            for k in (
                "user_api",
                "internal_api",
                "version",
                "architecture",
                "threading_layer",
                "num_threads",
                "filepath",
            )
        }
        for info in threadpoolctl.threadpool_info()
    ]
    env_vars = {
        name: os.environ.get(name)
        for name in (
            # Set on some machines because older OpenBLAS builds miscompute
            # there; they slow a current numpy, so readers must see them.
            "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE",
            "OPENBLAS_NUM_THREADS",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
        )
    }
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": cores_usable,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "skreg": getattr(skreg_module, "__version__", "n/a"),
        "skreg_kernels": _kernels_state(skreg_module),
        "torch": _torch_version(),
        "env": env_vars,
        "load_average": _load_average(),
        "threadpools": blas,
    }


def _load_average():
    try:
        return os.getloadavg()
    except OSError:  # not available on this platform
        return None


def _cpu_clock():
    """(machine busy seconds incl. VM steal, this process's CPU seconds, wall).

    The machine's counters come from /proc/stat (Linux); elsewhere its entry
    is None. Steal is time the hypervisor gave this VM's CPUs to others.
    """
    busy = None
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        pass
    else:
        # user nice system idle iowait irq softirq steal: all but idle, iowait.
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    own = os.times()
    return busy, own.user + own.system, time.perf_counter()


def other_cpu_share(start, end, cores):
    """Share of all cores used by other processes (or VM steal) between clocks.

    The load average cannot tell this at the end of a run: it counts the
    benchmark's own BLAS threads.
    """
    if start[0] is None or end[0] is None or not cores:
        return None
    others = (end[0] - start[0]) - (end[1] - start[1])
    return max(0.0, others) / ((end[2] - start[2]) * cores)


# A 256 x 256 float32 product, timed between cases on all the BLAS threads
# and on one: on this project's 2-core machine 190-210 us and 330 us. In its
# slow spells (minutes long, shown by neither the load average nor
# /proc/stat's steal) the second core gives nothing and the product takes
# 290-330 us on both threads; a run that stays in one throughout shows no
# change, but the lost speed-up tells.
_PROBE_SIZE = 256
_PROBE_CALLS = 50


def _median_product_us(A, C):
    np.matmul(A, A, out=C)  # wake the BLAS threads
    times = []
    for _ in range(_PROBE_CALLS):
        t0 = time.perf_counter()
        np.matmul(A, A, out=C)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def speed_probe():
    """Median microseconds of a 256 x 256 float32 product: (all threads, one)."""
    A = np.random.default_rng(SEED).standard_normal((_PROBE_SIZE,) * 2)
    A = A.astype(np.float32)
    C = np.empty_like(A)
    every = _median_product_us(A, C)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        one = _median_product_us(A, C)
    return every, one


# Probes further apart than this mean the machine's speed changed mid-run;
# a speed-up from the BLAS threads below it means their cores were not free.
_PROBE_SPREAD = 1.25


def speed_warning(probes, threads):
    """A warning when the probes show a slow machine or a change, else None.

    ``probes`` maps a moment of the run ("before mlp256-f32", "end") to a
    ``speed_probe`` result; ``threads`` is the BLAS pool's size.
    """
    if not probes:
        return None
    fastest = min(every for every, _ in probes.values())
    slow = [
        when
        for when, (every, one) in probes.items()
        if every > _PROBE_SPREAD * fastest
        or (threads > 1 and one < _PROBE_SPREAD * every)
    ]
    if not slow:
        return None
    slowest = max(every for every, _ in probes.values())
    return (
        f"WARNING: the machine ran slow {', '.join(slow)} (a {_PROBE_SIZE} x "
        f"{_PROBE_SIZE} float32 product took {fastest:.0f} to {slowest:.0f} us "
        f"on {threads} BLAS thread(s); slow: over 25% above the fastest probe, or "
        "under 25% faster than on one thread). The ratios of the cases run then "
        "differ from a quiet machine's: compare the paired column, or rerun them."
    )


def _blas_threads():
    pools = threadpoolctl.threadpool_info()
    return max((p["num_threads"] for p in pools if p["user_api"] == "blas"), default=1)


def _warn_if_loaded(load, cores, out, when):
    # Two BLAS threads per library on 2 cores: any other busy process makes
    # the threads wait on each other and epochs can take 10x longer, so say so.
    if load is not None and cores and load[0] > 0.5 * cores:
        print(
            f"WARNING ({when}): 1-min load average {load[0]:.2f} on {cores} cores; "
            "other processes compete for the CPU and the numbers are noisy.",
            file=out,
        )


def _torch_version():
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def print_environment(env, out):
    print("== environment", file=out)
    print(f"python {env['python']}  {env['platform']}", file=out)
    print(
        f"cpu: {env['cpu']}  cores: {env['cores']} (usable {env['cores_usable']})",
        file=out,
    )
    print(
        f"numpy {env['numpy']}  scipy {env['scipy']}  sklearn {env['sklearn']}  "
        f"skreg {env['skreg']}  torch {env['torch'] or 'not installed'}",
        file=out,
    )
    print(f"skreg kernels: {env['skreg_kernels']}", file=out)
    if env["load_average"] is not None:
        load = ", ".join(f"{v:.2f}" for v in env["load_average"])
        print(f"load average (1, 5, 15 min): {load}", file=out)
    _warn_if_loaded(env["load_average"], env["cores_usable"], out, "start")
    for name, value in env["env"].items():
        print(f"{name}={value if value is not None else '(unset)'}", file=out)
    for pool in env["threadpools"]:
        print(
            f"threadpool: {pool['user_api']}/{pool['internal_api']} "
            f"{pool['version']} arch={pool['architecture']} "
            f"threads={pool['num_threads']} "
            f"{os.path.basename(pool['filepath'] or '')}",
            file=out,
        )


# --------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------


def _summary(values):
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def _alternate(runners, repeats, roofline=None, roofline_inner=2):
    """Run each runner once per repeat, flipping the order every repeat.

    Flipping cancels a systematic first/second bias (caches, CPU boost
    decaying) that a fixed order would put on one library only. The GEMM
    roofline, when given, is timed inside every repeat too, so that it sees
    the same machine conditions as the fits it is compared with; its best
    time over all repeats is kept.
    """
    raw = {name: [] for name in runners}
    extra = {name: [] for name in runners}
    names = list(runners)
    roof_times = []
    if roofline is not None:
        roofline["epoch"]()  # warm up BLAS threads and page in the buffers
    for r in range(repeats):
        if roofline is not None:
            # Cheap rooflines (digits, lbfgs) get more samples for free: a
            # best-of over a few milliseconds is mostly scheduler noise.
            spent, k = 0.0, 0
            while k < roofline_inner or (spent < 0.05 and k < 200):
                t0 = time.perf_counter()
                roofline["epoch"]()
                roof_times.append(time.perf_counter() - t0)
                spent += roof_times[-1]
                k += 1
        for name in names if r % 2 == 0 else names[::-1]:
            gc.collect()
            value, info = runners[name]()
            raw[name].append(value)
            extra[name].append(info)
    roof = None
    if roofline is not None:
        best = min(roof_times)
        roof = {
            "seconds": best,
            "gflops": roofline["flops"] / best / 1e9,
            "flops": roofline["flops"],
            "rows": roofline["rows"],
            "times": roof_times,
        }
    return raw, extra, roof


def _fit_runner(make_estimator, X, y):
    """Seconds per epoch (iteration for lbfgs) of one fresh fit."""

    def run():
        est = make_estimator()
        t0 = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - t0
        # n_iter_ is exact for sgd/adam (n_iter_no_change > max_iter, tol=0);
        # for lbfgs it is scipy's iteration count, which may stop short.
        n_iter = max(int(est.n_iter_), 1)
        return seconds / n_iter, {"fit_seconds": seconds, "n_iter": n_iter}

    return run


def _memory_runner(make_estimator, X, y):
    """Peak MB allocated during one fit, as numpy reports it to tracemalloc."""

    def run():
        est = make_estimator()
        was_tracing = tracemalloc.is_tracing()
        if not was_tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        est.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        if not was_tracing:
            tracemalloc.stop()
        return (peak - base) / 2**20, {"n_iter": int(est.n_iter_)}

    return run


def _predict_runner(est, X, calls):
    """Rows per second of predict_proba on an already fitted model."""

    def run():
        t0 = time.perf_counter()
        for _ in range(calls):
            est.predict_proba(X)
        seconds = (time.perf_counter() - t0) / calls
        return X.shape[0] / seconds, {"seconds_per_call": seconds}

    return run


def gemm_roofline(layer_units, n_rows, batch_size, dtype, backward):
    """The matmuls one epoch (or one forward pass) must do, ready to time.

    Per batch and layer: forward ``A @ W``; backward the weight gradient
    ``A.T @ D`` and, except for the first layer, the input gradient
    ``D @ W.T``. The first layer's input gradient is skipped because no
    trainer needs it (sklearn does not compute it either), so this is a
    lower bound on GEMM time, not a model of any one implementation.
    Output buffers are preallocated: the roofline is the BLAS work only.
    Returns the epoch function and its flop count; ``_alternate`` times it.
    """
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((n_rows, layer_units[0])).astype(dtype)
    weights = [
        rng.standard_normal((fan_in, fan_out)).astype(dtype)
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:])
    ]
    batch_size = min(batch_size, n_rows)
    acts = [np.full((batch_size, units), 0.5, dtype=dtype) for units in layer_units]
    deltas = [np.full((batch_size, units), 0.5, dtype=dtype) for units in layer_units]
    grads = [np.empty_like(w) for w in weights]
    starts = range(0, n_rows, batch_size)

    def epoch():
        for start in starts:
            stop = min(start + batch_size, n_rows)
            b = stop - start
            a = [X[start:stop]] + [buf[:b] for buf in acts[1:]]
            d = [buf[:b] for buf in deltas]
            for i, w in enumerate(weights):
                np.matmul(a[i], w, out=a[i + 1])
            if backward:
                for i in range(len(weights) - 1, -1, -1):
                    np.matmul(a[i].T, d[i + 1], out=grads[i])
                    if i > 0:
                        np.matmul(d[i + 1], weights[i].T, out=d[i])

    n_weights = sum(w.size for w in weights)
    if backward:
        # 3 GEMMs of 2*rows*weights flops per layer, minus the skipped one.
        flops = 2 * n_rows * (3 * n_weights - weights[0].size)
    else:
        flops = 2 * n_rows * n_weights
    return {"epoch": epoch, "flops": flops, "rows": n_rows}


def _layer_units(fitted):
    return [fitted.coefs_[0].shape[0]] + [c.shape[1] for c in fitted.coefs_]


# --------------------------------------------------------------------------
# Optional PyTorch baseline (case 1 only)
# --------------------------------------------------------------------------


def _torch_runner(X, y, hidden, batch_size, epochs, lr=1e-3):
    """A plain PyTorch Adam loop of the same network, or None without torch.

    Same shapes, batch size, optimiser and shuffling per epoch; it is a
    reference for what a tuned framework reaches on this CPU, not a port of
    sklearn's numerics.
    """
    try:
        import torch
    except ImportError:
        return None

    torch_dtype = {np.dtype(np.float32): torch.float32}.get(X.dtype, torch.float64)
    n_classes = int(y.max()) + 1

    def run():
        torch.manual_seed(SEED)
        layers = []
        fan_in = X.shape[1]
        for units in hidden:
            layers += [torch.nn.Linear(fan_in, units), torch.nn.ReLU()]
            fan_in = units
        layers.append(torch.nn.Linear(fan_in, n_classes))
        model = torch.nn.Sequential(*layers).to(torch_dtype)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        t0 = time.perf_counter()
        # Conversion is inside the timing: sklearn's fit validates X too.
        Xt = torch.from_numpy(np.ascontiguousarray(X)).to(torch_dtype)
        yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
        gen = torch.Generator().manual_seed(SEED)
        n = Xt.shape[0]
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, batch_size):
                idx = perm[start : start + batch_size]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
        seconds = time.perf_counter() - t0
        return seconds / epochs, {"fit_seconds": seconds, "n_iter": epochs}

    return run


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


def _classification_data(cfg, dtype):
    X, y = make_classification(
        n_samples=cfg["rows"],
        n_features=cfg["features"],
        n_informative=20,
        n_classes=cfg["classes"],
        random_state=SEED,
    )
    return X.astype(dtype), y


def _sgd_params(epochs, **kwargs):
    # tol=0 and n_iter_no_change > max_iter: exactly `epochs` epochs run.
    params = {
        "hidden_layer_sizes": HIDDEN,
        "solver": "adam",
        "batch_size": BATCH,
        "max_iter": epochs,
        "tol": 0.0,
        "n_iter_no_change": epochs + 1,
        "shuffle": True,
        "random_state": SEED,
    }
    params.update(kwargs)
    return params


def _rows(case, unit, raw, extra, roofline=None, notes=None):
    """One row per library; ratio and roofline share computed from medians."""
    base = statistics.median(raw["sklearn"])
    rows = []
    for lib, values in raw.items():
        row = {"case": case, "library": lib, "unit": unit, **_summary(values)}
        row["ratio"] = row["median"] / base if lib != "sklearn" else None
        # The two runs of one repeat are adjacent in time, so their ratio sees
        # one machine state; the median of those ratios keeps its meaning when
        # the machine slows down for part of the run (ratios of medians then
        # compare a fast run of one library with a slow run of the other).
        row["paired_ratio"] = (
            statistics.median(v / b for v, b in zip(values, raw["sklearn"]))
            if lib != "sklearn"
            else None
        )
        if roofline is not None:
            # For times the share is roofline / time; for rows/s it is the
            # same quantity expressed through throughput.
            if unit == "rows/s":
                row["roofline_share"] = row["median"] * roofline["seconds"]
                row["roofline_share"] /= roofline["rows"]
            else:
                row["roofline_share"] = roofline["seconds"] / row["median"]
        else:
            row["roofline_share"] = None
        row["values"] = values
        row["extra"] = extra[lib]
        row["roofline"] = roofline
        row["note"] = (notes or {}).get(lib)
        rows.append(row)
    return rows


def case_sgd(case, ctx):
    cfg = ctx["cfg"]
    dtype = np.float64 if case == "mlp256-f64" else np.float32
    X, y = _classification_data(cfg, dtype)
    epochs = cfg["epochs"]
    plain = _sgd_params(epochs)
    skreg_params = dict(plain)
    notes = None
    if case == "mlp256-f32-reg" and not ctx["noise_floor"]:
        skreg_params.update(REG_EXTRAS)
        notes = {ctx["other"]: "dropout=0.2 input_dropout=0.1 penalty=l1 vs L2"}
    runners = {
        "sklearn": _fit_runner(lambda: SkMLPClassifier(**plain), X, y),
        ctx["other"]: _fit_runner(lambda: ctx["Classifier"](**skreg_params), X, y),
    }
    if case == "mlp256-f32":
        torch_run = _torch_runner(X, y, HIDDEN, BATCH, epochs)
        if torch_run is not None:
            runners["torch"] = torch_run
    units = [X.shape[1], *HIDDEN, cfg["classes"] if cfg["classes"] > 2 else 1]
    roofline = gemm_roofline(units, X.shape[0], BATCH, dtype, backward=True)
    raw, extra, roof = _alternate(runners, ctx["repeats"], roofline, ctx["inner"])
    return _rows(case, "s/epoch", raw, extra, roof, notes)


def case_digits(case, ctx):
    cfg = ctx["cfg"]
    X, y = load_digits(return_X_y=True)
    epochs = cfg["digits_epochs"]
    # Default batch_size ("auto" = min(200, n)): the per-batch Python overhead
    # is what this case is about.
    params = _sgd_params(epochs, hidden_layer_sizes=(64,), batch_size="auto")
    runners = {
        "sklearn": _fit_runner(lambda: SkMLPClassifier(**params), X, y),
        ctx["other"]: _fit_runner(lambda: ctx["Classifier"](**params), X, y),
    }
    units = [X.shape[1], 64, 10]
    batch = min(200, X.shape[0])
    roofline = gemm_roofline(units, X.shape[0], batch, X.dtype, backward=True)
    raw, extra, roof = _alternate(runners, ctx["repeats"], roofline, ctx["inner"])
    return _rows(case, "s/epoch", raw, extra, roof)


def case_lbfgs(case, ctx):
    cfg = ctx["cfg"]
    X, y = make_classification(
        n_samples=cfg["lbfgs_rows"],
        n_features=cfg["lbfgs_features"],
        n_informative=10,
        n_classes=3,
        random_state=SEED,
    )
    params = {
        "hidden_layer_sizes": (64,),
        "solver": "lbfgs",
        "max_iter": cfg["lbfgs_iter"],
        "tol": 0.0,
        "random_state": SEED,
    }
    runners = {
        "sklearn": _fit_runner(lambda: SkMLPClassifier(**params), X, y),
        ctx["other"]: _fit_runner(lambda: ctx["Classifier"](**params), X, y),
    }
    # One full-batch forward+backward per iteration; line searches may need
    # more function evaluations, which the share then shows as overhead.
    units = [X.shape[1], 64, 3]
    n = X.shape[0]
    roofline = gemm_roofline(units, n, n, X.dtype, backward=True)
    raw, extra, roof = _alternate(runners, ctx["repeats"], roofline, ctx["inner"])
    return _rows(case, "s/iter", raw, extra, roof)


def case_predict(case, ctx):
    cfg = ctx["cfg"]
    X, y = _classification_data(cfg, np.float32)
    params = _sgd_params(1)
    fitted = {
        "sklearn": SkMLPClassifier(**params).fit(X, y),
        ctx["other"]: ctx["Classifier"](**params).fit(X, y),
    }
    runners = {
        lib: _predict_runner(est, X, cfg["predict_calls"])
        for lib, est in fitted.items()
    }
    # sklearn's predict_proba is one full-batch forward pass.
    units = _layer_units(fitted["sklearn"])
    n = X.shape[0]
    roofline = gemm_roofline(units, n, n, X.dtype, backward=False)
    raw, extra, roof = _alternate(runners, ctx["repeats"], roofline, ctx["inner"])
    return _rows(case, "rows/s", raw, extra, roof)


def case_memory(case, ctx):
    cfg = ctx["cfg"]
    X, y = _classification_data(cfg, np.float32)
    params = _sgd_params(cfg["memory_epochs"])
    runners = {
        "sklearn": _memory_runner(lambda: SkMLPClassifier(**params), X, y),
        ctx["other"]: _memory_runner(lambda: ctx["Classifier"](**params), X, y),
    }
    raw, extra, _ = _alternate(runners, ctx["repeats"])
    return _rows(case, "MB", raw, extra)


CASE_FUNCS = {
    "mlp256-f32": case_sgd,
    "mlp256-f64": case_sgd,
    "mlp256-f32-reg": case_sgd,
    "digits-small": case_digits,
    "lbfgs-mid": case_lbfgs,
    "predict_proba": case_predict,
    "peak-memory": case_memory,
}


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _fmt(value, unit=None):
    if value is None:
        return "-"
    if unit == "rows/s" or abs(value) >= 1e4:
        return f"{value:,.0f}"
    if unit == "MB":
        return f"{value:.1f}"
    # '#' keeps trailing zeros so the column lines up by significant digits.
    return f"{value:#.4g}"


def format_table(rows):
    header = [
        "case",
        "library",
        "unit",
        "median",
        "min",
        "max",
        "ratio",
        "paired",
        "roofline",
    ]
    lines = [header]
    for row in rows:
        lines.append(
            [
                row["case"],
                row["library"],
                row["unit"],
                _fmt(row["median"], row["unit"]),
                _fmt(row["min"], row["unit"]),
                _fmt(row["max"], row["unit"]),
                "-" if row["ratio"] is None else f"{row['ratio']:.3f}",
                "-" if row["paired_ratio"] is None else f"{row['paired_ratio']:.3f}",
                "-"
                if row["roofline_share"] is None
                else f"{100 * row['roofline_share']:.1f}%",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    # Text columns left-aligned, numbers right-aligned.
    out = []
    for line in lines:
        cells = [
            cell.ljust(w) if i < 3 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths))
        ]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


def format_notes(rows, other):
    notes = [
        f"ratio = {other} median / sklearn median (torch: torch / sklearn).",
        f"  s/epoch, s/iter, MB: lower is better, ratio < 1 means {other} is ahead.",
        f"  rows/s: higher is better, ratio > 1 means {other} is ahead.",
        "paired = median over repeats of the ratio within one repeat (the two "
        "runs are adjacent in time): steadier than ratio when the machine's speed "
        "changes during the run.",
        "roofline = best time of numpy matmuls of the exact shapes of one epoch "
        "(predict: one forward pass) / that library's median; 100% = nothing "
        "but GEMMs.",
        "peak-memory: tracemalloc peak during fit, beyond what existed before "
        "it (numpy buffers are traced; memory from C malloc is not).",
    ]
    for row in rows:
        if row["note"]:
            notes.append(f"{row['case']} ({row['library']}): {row['note']}.")
    if any(r["case"] == "mlp256-f32-reg" and r["library"] == "skreg" for r in rows):
        notes.append(
            "mlp256-f32-reg: ratio is skreg *regularized* / sklearn plain L2 "
            "(sklearn has no dropout or L1): the cost of the extras."
        )
    for row in rows:
        if row["roofline"] and row["library"] == "sklearn":
            notes.append(
                f"{row['case']}: GEMM roofline {row['roofline']['seconds']:.4g} s "
                f"({row['roofline']['gflops']:.1f} GFLOP/s)."
            )
    return "\n".join(notes)


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def _parse_cases(values):
    if not values:
        return list(CASES)
    cases = [c for v in values for c in v.split(",") if c]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    # Keep the canonical order whatever order they were given in.
    return [c for c in CASES if c in cases]


def build_parser():
    parser = argparse.ArgumentParser(
        description="Fit/predict/memory benchmark: skreg vs scikit-learn MLPs."
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        metavar="CASE",
        help=f"subset to run, space or comma separated; any of {', '.join(CASES)}",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help="repeats per library and case (default 5; 1 with --quick)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        help="epochs per fit in the mlp256 cases (default 3; 2 with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes for a CI smoke run; numbers are not meaningful",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        metavar="N",
        help="limit BLAS/OpenMP to N threads (threadpoolctl); 1 gives steadier "
        "numbers when other processes share the cores",
    )
    parser.add_argument(
        "--no-kernels",
        action="store_true",
        help="run skreg's numpy code with its compiled kernels switched off (the "
        "same bits, slower): shows what the kernels bring",
    )
    parser.add_argument("--json", metavar="PATH", help="write raw results as JSON")
    parser.add_argument(
        "--noise-floor",
        action="store_true",
        help="run scikit-learn on both sides: ratios then show the noise floor",
    )
    return parser


def _load_skreg(noise_floor, no_kernels=False):
    if noise_floor:
        return None, SkMLPClassifier, "sklearn-b"
    import skreg
    import skreg._fused

    if no_kernels:
        # The engine looks the kernels up at each call; None selects numpy.
        for name in skreg._fused.NAMES:
            setattr(skreg._fused, name, None)
    return skreg, skreg.MLPClassifier, "skreg"


def _kernels_state(skreg_module):
    if skreg_module is None:
        return "n/a"
    fused = sys.modules.get("skreg._fused")
    if fused is None or fused.adam_step is None:
        if fused is not None and fused._kernels is not None:
            return "built, switched off (--no-kernels)"
        # Not built, or switched off by SKREG_NO_KERNELS: status() says which.
        why = fused.status() if fused is not None else "not loaded"
        return f"numpy code (kernels in use: {why})"
    return "compiled"


def _warm_up(ctx):
    # The first fit in a process pays for imports, BLAS thread start-up and
    # page faults; keep that out of whichever library happens to go first.
    X, y = make_classification(n_samples=512, n_features=20, random_state=SEED)
    for cls in (SkMLPClassifier, ctx["Classifier"]):
        cls(hidden_layer_sizes=(16,), max_iter=1, random_state=SEED).fit(X, y)


def blas_limits(threads):
    """A context that caps BLAS threads at ``threads`` (None: no cap)."""
    if threads:
        return threadpoolctl.threadpool_limits(limits=threads)
    return contextlib.nullcontext()


def main(argv=None, out=None):
    """Run the benchmark; return the result rows (one per case and library)."""
    out = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    if args.repeats is not None:
        if args.repeats < 1:
            raise SystemExit("--repeats must be at least 1")
        cfg["repeats"] = args.repeats
    if args.epochs is not None:
        cfg["epochs"] = args.epochs
    cases = _parse_cases(args.cases)
    skreg_module, classifier, other = _load_skreg(args.noise_floor, args.no_kernels)
    ctx = {
        "cfg": cfg,
        "repeats": cfg["repeats"],
        "inner": cfg["roofline_inner"],
        "Classifier": classifier,
        "other": other,
        "noise_floor": args.noise_floor,
    }

    rows = []
    with blas_limits(args.blas_threads), warnings.catch_warnings():
        # max_iter is hit on purpose so that every fit runs the same epochs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        _warm_up(ctx)
        env = environment(skreg_module)
        print_environment(env, out)
        if args.noise_floor:
            print("NOISE-FLOOR MODE: 'sklearn-b' is scikit-learn again.", file=out)
        mode = "quick" if args.quick else "full"
        print(f"== {mode} run, {cfg['repeats']} repeat(s)", file=out, flush=True)
        clock = _cpu_clock()
        probes = {}
        for case in cases:
            probes[f"before {case}"] = probe = speed_probe()
            t0 = time.perf_counter()
            case_rows = CASE_FUNCS[case](case, ctx)
            rows.extend(case_rows)
            print(
                f"   {case}: done in {time.perf_counter() - t0:.1f} s "
                f"(speed probe before it: {probe[0]:.0f} us, one thread "
                f"{probe[1]:.0f} us)",
                file=out,
                flush=True,
            )
        probes["end"] = speed_probe()
        blas_threads = _blas_threads()  # under --blas-threads' limit
    env["speed_probes_us"] = probes

    share = other_cpu_share(clock, _cpu_clock(), env["cores_usable"])
    env["other_cpu_share"] = share
    if share is not None:
        print(
            f"other processes and VM steal used {share:.0%} of the CPUs during the run",
            file=out,
        )
        if share > 0.1:
            print(
                "WARNING: the numbers are noisy; rerun on a quieter machine.",
                file=out,
            )
    warning = speed_warning(probes, blas_threads)
    if warning:
        print(warning, file=out)
    print(file=out)
    print(format_table(rows), file=out)
    print(file=out)
    print(format_notes(rows, other), file=out)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"environment": env, "config": cfg, "cases": cases, "rows": rows},
                f,
                indent=2,
            )
    return rows


if __name__ == "__main__":
    main()
