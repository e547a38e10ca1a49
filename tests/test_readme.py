"""The README's example runs as written, quietly, and shows what it says."""

import re
import warnings
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    with warnings.catch_warnings(record=True) as caught:
        # Not even a ConvergenceWarning, which the suite's filters let pass.
        warnings.simplefilter("always")
        exec(compile(code, str(README), "exec"), {})
    assert [str(w.message) for w in caught] == []
    printed = capsys.readouterr().out
    params, removed = printed.splitlines()
    assert "'mlpclassifier__penalty': 'l1'" in params
    best_score = float(params.split("}")[-1])
    assert best_score > 0.8
    # L1's exact zeros remove noise inputs (5 to 19), never informative ones.
    assert removed.startswith("inputs L1 removed: [")
    indices = np.array(removed.split("[")[1].rstrip("]").split(), dtype=int)
    assert len(indices) > 0 and indices.min() >= 5


def test_readme_commands():
    """The first screen gives the two commands; .ci/run runs the test one."""
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["pip install . && skreg", 'pip install ".[test]" && pytest']
    ci = (README.parent / ".ci" / "run").read_text()
    assert "\n" + commands[1] + "\n" in ci
