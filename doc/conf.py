"""Sphinx configuration of the skreg documentation.

Build (warnings are errors)::

    python -m sphinx -W -b html doc doc/_build/html

Add ``-D plot_gallery=0`` to skip running the examples. Intersphinx links to
Python, NumPy, SciPy and scikit-learn need the network: each inventory is kept
only when its host answers within two seconds, and ``SKREG_DOC_OFFLINE=1`` drops
them all, so an offline build passes with ``-W`` and only loses those links.
"""

import importlib.util
import os
import socket
from urllib.parse import urlsplit

import skreg

project = "skreg"
author = "The skreg developers"
copyright = "The skreg developers"
release = skreg.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# MathJax comes from a CDN unless sphinx-mathjax-offline is installed, which
# bundles it so that the pages also show formulas without network.
if importlib.util.find_spec("sphinx-mathjax-offline") is not None:
    extensions.append("sphinx-mathjax-offline")

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": False}
# The class template lists the methods itself; numpydoc must not add a second list.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- Intersphinx ---------------------------------------------------------------
_INTERSPHINX = {
    "python": ("https://docs.python.org/3/", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
}
intersphinx_timeout = 10


def _reachable(url, timeout=2.0):
    host = urlsplit(url).hostname
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


if os.environ.get("SKREG_DOC_OFFLINE"):
    intersphinx_mapping = {}
else:
    intersphinx_mapping = {
        name: target for name, target in _INTERSPHINX.items() if _reachable(target[0])
    }
_OFFLINE = set(_INTERSPHINX) - set(intersphinx_mapping)
if _OFFLINE:
    print(f"skreg doc: building without intersphinx for {sorted(_OFFLINE)}")

# -- Example gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skreg",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
}

# -- HTML ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skreg {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []
html_show_sourcelink = False


def _quiet_inherited_refs(app, env, node, contnode):
    """Render unresolved scikit-learn labels in inherited docstrings as text.

    Methods such as ``score`` or ``set_fit_request`` come from scikit-learn with
    ``:ref:`` and ``:term:`` roles that only intersphinx resolves. Offline, keep
    their text instead of a warning; only for the generated API pages, so a
    broken reference in the hand-written pages still fails the build.
    """
    if "sklearn" in intersphinx_mapping:
        return None
    if node.get("refdomain") != "std" or node.get("reftype") not in ("ref", "term"):
        return None
    if not node.get("refdoc", "").startswith("generated/"):
        return None
    return contnode


def setup(app):
    app.connect("missing-reference", _quiet_inherited_refs)
