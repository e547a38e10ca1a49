"""Run the skreg command-line job: ``python -m skreg --help``."""

from skreg._cli import main

# The guard keeps tools that import every module (doc builders, test collectors)
# from starting a grid search by accident.
if __name__ == "__main__":
    raise SystemExit(main())
