"""numpydoc docstrings of the public API agree with the signatures they document.

The sections are parsed here rather than with ``numpydoc.docscrape`` so that the
test extra needs no documentation dependency.
"""

import ast
import inspect
import re

import pytest

import skreg

PUBLIC_CLASSES = [
    getattr(skreg, name)
    for name in skreg.__all__
    if inspect.isclass(getattr(skreg, name))
]
PUBLIC_METHODS = [
    "fit",
    "partial_fit",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "score",
]
CLASS_METHODS = [
    (cls, method)
    for cls in PUBLIC_CLASSES
    for method in PUBLIC_METHODS
    if hasattr(cls, method)
]

_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_ENTRY = re.compile(r"^(?P<names>[*\w][\w*, ]*?)\s*(?::\s*(?P<type>.*))?$")


def _sections(doc):
    """Map each numpydoc section title to its lines (dedented)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    sections, title, body = {}, None, []
    for i, line in enumerate(lines):
        underlined = i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1])
        if underlined and line.strip() and not line.startswith(" "):
            if title is not None:
                sections[title] = body
            title, body = line.strip(), []
        elif title is not None and not _UNDERLINE.match(line):
            body.append(line)
    if title is not None:
        sections[title] = body
    return sections


def _entries(doc, section="Parameters"):
    """``[(name, type_text, description_lines), ...]`` of one section."""
    entries = []
    for line in _sections(doc).get(section, []):
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            if entries:
                entries[-1][2].append(line.strip())
            continue
        match = _ENTRY.match(line)
        assert match, f"cannot parse the {section} entry {line!r}"
        type_text = match["type"] or ""
        for name in match["names"].split(","):
            entries.append((name.strip().lstrip("*"), type_text.strip(), []))
    return entries


def _signature_names(func):
    params = inspect.signature(func).parameters.values()
    return [p.name for p in params if p.name != "self"]


def _test_id(value):
    if inspect.isclass(value):
        return value.__name__
    return None


def test_public_classes_found():
    assert {cls.__name__ for cls in PUBLIC_CLASSES} >= {
        "MLPClassifier",
        "MLPRegressor",
    }


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=_test_id)
def test_class_parameters_match_init(cls):
    documented = [name for name, _, _ in _entries(cls.__doc__)]
    expected = _signature_names(cls.__init__)
    assert documented == expected, (
        f"{cls.__name__}'s Parameters section does not list the __init__ "
        f"parameters in order.\nmissing: {sorted(set(expected) - set(documented))}"
        f"\nextra: {sorted(set(documented) - set(expected))}"
    )


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=_test_id)
def test_class_parameters_have_type_description_and_default(cls):
    signature = inspect.signature(cls.__init__).parameters
    problems = []
    for name, type_text, description in _entries(cls.__doc__):
        if not type_text:
            problems.append(f"{name}: no type")
        if not description:
            problems.append(f"{name}: no description")
        if name not in signature:
            continue
        default = signature[name].default
        match = re.search(r"default=(.+)$", type_text)
        if default is inspect.Parameter.empty:
            # A required parameter (the data of a Display) has no default.
            if match is not None:
                problems.append(f"{name}: required, documents {match.group(0)!r}")
            continue
        if match is None:
            problems.append(f"{name}: no 'default=' in {type_text!r}")
            continue
        try:
            documented = ast.literal_eval(match.group(1).strip())
        except (ValueError, SyntaxError):
            problems.append(f"{name}: cannot read default {match.group(1)!r}")
            continue
        if documented != default or type(documented) is not type(default):
            if not (isinstance(default, float) and documented == default):
                problems.append(f"{name}: documents {documented!r}, is {default!r}")
    assert not problems, f"{cls.__name__}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "cls, method",
    CLASS_METHODS,
    ids=[f"{cls.__name__}.{method}" for cls, method in CLASS_METHODS],
)
def test_method_parameters_documented(cls, method):
    func = getattr(cls, method)
    expected = _signature_names(func)
    documented = [name for name, _, _ in _entries(func.__doc__)]
    assert documented == expected, (
        f"{cls.__name__}.{method} documents {documented}, signature has {expected}"
    )
    assert _entries(func.__doc__, "Returns"), (
        f"{cls.__name__}.{method} has no Returns section"
    )


@pytest.mark.parametrize(
    "doc, expected",
    [
        (
            """Summary.

            Parameters
            ----------
            a : int, default=1
                First.
            b, c : float
                Second and third.
            **params : dict
                Rest.

            Returns
            -------
            self : object
                Fitted.
            """,
            ["a", "b", "c", "params"],
        ),
        ("No sections.", []),
    ],
)
def test_parser(doc, expected):
    assert [name for name, _, _ in _entries(doc)] == expected
