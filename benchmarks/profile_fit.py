"""cProfile of one skreg fit in the ``mlp256-f32`` setting of bench_fit.py.

Run ``python benchmarks/profile_fit.py [--lines 25] [--epochs 3] [--sklearn]
[--blas-threads 1]``.
Prints the top functions by own time (tottime), which is where an engine
spends time outside BLAS that it could save.
"""

import argparse
import cProfile
import pathlib
import pstats
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning

# bench_fit.py is a script beside this one, not an installed module.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import bench_fit  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=25)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--sklearn", action="store_true", help="profile scikit-learn instead"
    )
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--blas-threads", type=int, metavar="N")
    args = parser.parse_args(argv)

    import numpy as np

    X, y = bench_fit._classification_data(bench_fit.FULL, np.float32)
    if args.sklearn:
        cls = bench_fit.SkMLPClassifier
    else:
        import skreg

        cls = skreg.MLPClassifier
    est = cls(**bench_fit._sgd_params(args.epochs))
    with bench_fit.blas_limits(args.blas_threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        profiler = cProfile.Profile()
        profiler.enable()
        est.fit(X, y)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
