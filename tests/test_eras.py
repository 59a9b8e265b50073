"""The eras table of `lockforensics formats`: every era, its versions and its own wordings."""

from __future__ import annotations

from lockforensics.parsing.eras import load_eras
from lockforensics.parsing.signatures import load_catalog
from tests.test_cli import run


def test_every_era_names_existing_signatures() -> None:
    """An era lists only signature ids the catalog has, each in at most one era."""
    ids = {rule.id for rule in load_catalog().rules}
    named = [sig for era in load_eras() for sig in era.signatures]
    assert set(named) <= ids
    assert len(named) == len(set(named))


def test_lease_era_is_listed_with_its_versions() -> None:
    """The SQLite-lease era exists and covers 2026.7 onwards."""
    eras = {era.name: era for era in load_eras()}
    assert "2026.7" in eras["SQLite lease"].versions
    assert "lease-stale" in eras["SQLite lease"].signatures


def test_formats_prints_every_era() -> None:
    """`formats` prints each era's name and versions before the envelopes."""
    out = run("formats").stdout
    for era in load_eras():
        assert era.name in out
        assert era.versions in out
    assert out.index("OpenClaw eras") < out.index("Envelopes")
