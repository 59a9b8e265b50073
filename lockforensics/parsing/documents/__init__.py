"""Structured documents: whole files a line regex cannot read.

The specs (order, kinds emitted, descriptions, versions) live in
``parsers/documents.toml``; the code hooks they name are registered here.
A document is chosen by sniffing the first 64 KiB of an input, before the
line envelopes are tried; a hook that then finds the whole file is not its
kind hands it on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from lockforensics.errors import SpecError
from lockforensics.parsing.documents import (
    cleanup,
    cleanup_table,
    diagnostics,
    docker_events,
    docker_inspect,
    doctor,
    kubernetes,
    launchd,
    listing,
    lockfile,
    processes,
    store,
    systemd,
)
from lockforensics.parsing.documents.model import Document, Parsed
from lockforensics.resources import data_dir
from lockforensics.schema import EventKind

__all__ = ["Document", "DocumentCatalog", "DocumentSpec", "Parsed", "load_documents"]

Sniff = Callable[[str, str], bool]  # (name inside the bundle, first 64 KiB as text)
Parse = Callable[[Document], Parsed | None]


@dataclass(frozen=True, slots=True)
class Hook:
    sniff: Sniff
    parse: Parse


HOOKS: dict[str, Hook] = {
    "lock_file": Hook(lockfile.sniff, lockfile.parse),
    "cleanup_json": Hook(cleanup.sniff_json, cleanup.parse_json),
    "cleanup_text": Hook(cleanup.sniff_text, cleanup.parse_text),
    "cleanup_table": Hook(cleanup_table.sniff, cleanup_table.parse),
    "doctor": Hook(doctor.sniff, doctor.parse),
    "systemctl_status": Hook(systemd.sniff, systemd.parse),
    "systemctl_show": Hook(systemd.sniff_show, systemd.parse_show),
    "launchctl_print": Hook(launchd.sniff, launchd.parse),
    "ps_lstart": Hook(processes.sniff, processes.parse),
    "kubectl_describe_pod": Hook(kubernetes.sniff, kubernetes.parse),
    "docker_inspect": Hook(docker_inspect.sniff, docker_inspect.parse),
    "docker_events": Hook(docker_events.sniff, docker_events.parse),
    "ls_listing": Hook(listing.sniff, listing.parse),
    "session_store": Hook(store.sniff, store.parse),
    "diagnostics_manifest": Hook(diagnostics.sniff_manifest, diagnostics.parse_manifest),
    "diagnostics_summary": Hook(diagnostics.sniff_summary, diagnostics.parse_summary),
    "stability_bundle": Hook(diagnostics.sniff_stability, diagnostics.parse_stability),
    "diagnostics_snapshot": Hook(diagnostics.sniff_snapshot, diagnostics.parse_snapshot),
    "diagnostics_summary_md": Hook(diagnostics.sniff_summary_md, diagnostics.parse_summary_md),
    "json": Hook(diagnostics.sniff_json, diagnostics.parse_json),
}


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """One entry of parsers/documents.toml."""

    name: str
    hook: str
    kinds: tuple[str, ...]
    description: str
    versions: str

    def sniff(self, name: str, head: str) -> bool:
        return HOOKS[self.hook].sniff(name, head)

    def parse(self, doc: Document) -> Parsed | None:
        return HOOKS[self.hook].parse(doc)


@dataclass(frozen=True, slots=True)
class DocumentCatalog:
    documents: tuple[DocumentSpec, ...]

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind some document can emit."""
        return frozenset(k for spec in self.documents for k in spec.kinds)

    def candidates(self, name: str, head: str) -> list[DocumentSpec]:
        """The documents whose sniff accepts this input, in detection order."""
        return [spec for spec in self.documents if spec.sniff(name, head)]


@cache
def load_documents() -> DocumentCatalog:
    """Read parsers/documents.toml (cached; the file is immutable at run time)."""
    path = data_dir("parsers") / "documents.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        specs = tuple(
            DocumentSpec(
                name=str(entry["name"]),
                hook=str(entry["hook"]),
                kinds=tuple(entry.get("kinds", ())),
                description=str(entry["description"]),
                versions=str(entry["versions"]),
            )
            for entry in doc["document"]
        )
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc
    known = {k.value for k in EventKind}
    for spec in specs:
        if spec.hook not in HOOKS:
            raise SpecError(f"{path}: document {spec.name}: unknown hook {spec.hook!r}")
        if unknown := set(spec.kinds) - known:
            raise SpecError(f"{path}: document {spec.name}: unknown kinds {sorted(unknown)}")
    return DocumentCatalog(specs)
