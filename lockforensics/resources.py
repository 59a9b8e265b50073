"""Locate the bundled data folders (`parsers/`, `reports/`).

In a wheel they live at ``lockforensics/_bundled/<name>``; in a checkout or an
editable install they are the top-level folders beside the package.  Both
layouts are covered by tests/test_packaging.py.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(name: str) -> Path:
    """Return the folder holding bundled data ``name`` (``parsers`` or ``reports``)."""
    bundled = Path(str(resources.files("lockforensics"))) / "_bundled" / name
    if bundled.is_dir():
        return bundled
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled data folder {name!r} not found (broken installation?)")
