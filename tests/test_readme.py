"""The README's example runs as written."""

import re
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(compile(code, str(README), "exec"), {})
    printed = capsys.readouterr().out
    assert "mlpclassifier__alpha" in printed
    best_score = float(printed.split("}")[-1])
    assert best_score > 0.9
