"""The OpenClaw eras (``parsers/eras.toml``): which versions wrote which wordings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from lockforensics.errors import SpecError
from lockforensics.resources import data_dir


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    versions: str
    description: str
    signatures: tuple[str, ...]


@cache
def load_eras() -> tuple[Era, ...]:
    """The bundled eras, oldest first (cached)."""
    path = data_dir("parsers") / "eras.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        return tuple(
            Era(
                name=str(e["name"]),
                versions=str(e["versions"]),
                description=str(e["description"]),
                signatures=tuple(str(s) for s in e.get("signatures", ())),
            )
            for e in doc.get("era", [])
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc
