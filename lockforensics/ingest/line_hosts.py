"""The host of a line that names none, in an input whose lines name several.

An input naming one host gives it to all its lines later, per input
(correlate/epochs.fallback_hosts).  One naming several is a paste: a ticket
whose comments quote two hosts' journals, each followed by its file-log
records (which name no host), its `openclaw logs` copies, its `systemctl
status`.  There the input's most common host put one host's file-log copies
on the other's timeline, as a gateway of no pid.  A pasted block belongs with
the lines around it: a line naming no host takes the host of the nearest line
above that names one, else of the nearest below.

A thread is several people's pastes, each in its own Markdown fence, and a
fenced block naming no host may be a third machine's (a Mac's `openclaw logs
--plain`, a file log whose `_meta.hostname` is "unknown").  So a line takes a
host named in its own block first.  A block naming none whose locks live in a
state directory (`/Users/dmitri/.openclaw`) is the host whose locks live
there, and, when every named host's live elsewhere, a host of its own,
named after it (``unnamed (/Users/dmitri/.openclaw)``): blocks sharing it
share that host (Z127, Z146: two unnamed hosts had been one named host).

High-volume activity rows (lockforensics/activity.py, maybe waiting on disk)
are given theirs lazily, by the marks the other rows set: they feed per-host
rates and the hosts' last lines.

An input naming no host at all whose copies of another input's lines name one
(ingest/duplicates.py) is that host's: :func:`copied_hosts`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from lockforensics.parsing.filescan import FileScan


def nearest_hosts(scans: list[FileScan]) -> None:
    """Give each hostless row of a several-host input its nearest line's host,
    and each paste naming no host that is apart from every named one its own."""
    for scan in scans:
        _fill(scan)
    _pastes_apart(scans)


def _pastes_apart(scans: list[FileScan]) -> None:
    """A paste naming no host at all (a comment of a saved issue thread) whose
    locks live in another state directory than every named host's, or whose
    stamps are in another zone, is a machine of its own, as a block of one
    file is (:func:`_block_hosts`): saved as separate comment files, a second
    and third user's gateways had been taken for the only host the thread
    named (Z167).  Given through ``copied_host``, which copies of its lines in
    another input, seen later, override."""
    loose: list[tuple[FileScan, _Traits]] = []
    for scan in scans:
        if (scan.pasted or scan.envelope == "plain") and not any(r.get("host") for r in scan.rows):
            traits = _Traits()
            for row in scan.rows:
                traits.add(row)
            loose.append((scan, traits))
    if not loose:
        return  # no paste to place: the named hosts' every row is not read
    named: dict[str, _Traits] = {}
    for scan in scans:
        for row in scan.rows:
            if row.get("host"):
                named.setdefault(row["host"], _Traits()).add(row)
    if not named:
        return
    placed = [(s, t) for s, t in loose if s.copied_host is None and (t.dirs or t.zones)]
    for group in _alike(placed):
        traits = _Traits()
        for _, theirs in group:
            traits.dirs |= theirs.dirs
            traits.zones |= theirs.zones
        # A named host it shares traits with it takes anyway (epochs.fallback_hosts).
        if (host := _machine(traits, named)) is not None and host.startswith(_UNNAMED):
            for scan, _ in group:
                scan.copied_host = host


def _alike(
    pastes: list[tuple[FileScan, _Traits]],
) -> list[list[tuple[FileScan, _Traits]]]:
    """The pastes grouped by shared traits, through chains of them (one paste
    naming two state directories joins the pastes of either), in an order
    that is not the inputs': a machine named after the first paste of its
    group had made the table depend on the order files were given in."""
    groups: list[list[tuple[FileScan, _Traits]]] = []
    for paste in pastes:
        joined = [g for g in groups if any(paste[1].shares(t) for _, t in g)]
        groups = [g for g in groups if not any(g is j for j in joined)]
        groups.append([paste, *(p for g in joined for p in g)])
    return sorted(groups, key=lambda g: min(s.source for s, _ in g))


def _fill(scan: FileScan) -> None:
    frames = [f for f in scan.frames if _hosted(f)]
    hostless = any(r.get("host") is None for r in scan.rows) or any(
        f.get_column("host").null_count() for f in frames
    )
    if not hostless:
        return
    named = pl.concat(
        [
            pl.DataFrame(
                [(r["line"], r["host"]) for r in scan.rows if _placed(r)],
                schema={"line": pl.Int64, "host": pl.String},
                orient="row",
            ),
            *(f.select(pl.col("line").cast(pl.Int64), "host").drop_nulls() for f in frames),
        ]
    )
    fences = sorted(scan.fences)
    marks = named.sort("line").unique("line", keep="first", maintain_order=True)
    lines: list[int] = marks.get_column("line").to_list()
    hosts: list[str] = marks.get_column("host").to_list()
    blocks = [bisect.bisect_right(fences, n) for n in lines]
    given = _block_hosts(scan.rows, fences, set(blocks))
    if len(set(hosts) | set(given.values())) < 2:
        return  # one host (or none) to give: the input's, later (epochs.fallback_hosts)
    for row in scan.rows:
        if row.get("host") is None and isinstance(row.get("line"), int):
            row["host"] = _host_at(row["line"], lines, hosts, blocks, fences, given)
    marks = marks.rename({"host": "_near"}).with_columns(_block=pl.Series(blocks, dtype=pl.Int64))
    scan.frames = [
        _near(f.lazy(), marks, fences, given).collect() if _hosted(f) else f for f in scan.frames
    ]
    scan.activity = [_near(f, marks, fences, given) for f in scan.activity]


def _host_at(
    line: int,
    lines: list[int],
    hosts: list[str],
    blocks: list[int],
    fences: list[int],
    given: dict[int, str],
) -> str | None:
    """The host of a line naming none: its block's (the nearest named in it
    above, else below, else the block's own), else the nearest named above."""
    block = bisect.bisect_right(fences, line)
    if block in given:
        return given[block]
    at = bisect.bisect_right(lines, line)
    if at and blocks[at - 1] == block:
        return hosts[at - 1]
    if at < len(lines) and blocks[at] == block:
        return hosts[at]
    return hosts[max(at - 1, 0)] if hosts else None


@dataclass(slots=True)
class _Traits:
    """What sets one machine's lines apart from another's in a thread."""

    dirs: set[str] = field(default_factory=set)  # state directories its locks live in
    zones: set[int] = field(default_factory=set)  # UTC offsets of its stamps, in minutes

    def add(self, row: dict[str, Any]) -> None:
        self.dirs.update(
            d for d in map(_state_dir, (row.get("lock_path"), row.get("session_file"))) if d
        )
        # A zone written on the line, its date assumed or not (a console's
        # `23:58:40-04:00`: Z214, a Windows paste's zone unseen).
        offset = _OFFSET.search(row.get("ts_raw") or "")
        if offset is not None and row.get("ts_quality") != "untimed":
            sign = -1 if offset.group(1) == "-" else 1
            self.zones.add(sign * (int(offset.group(2)) * 60 + int(offset.group(3))))

    def shares(self, other: _Traits) -> bool:
        """Both lock in one state directory, or (neither showing one) stamp in one zone."""
        if self.dirs and other.dirs:
            return bool(self.dirs & other.dirs)
        return bool(self.zones & other.zones)

    def apart(self, other: _Traits) -> bool:
        """Not one machine: their locks live in different state directories, or
        their stamps are in zones more than a DST shift apart."""
        if self.dirs and other.dirs and not self.dirs & other.dirs:
            return True
        return bool(self.zones and other.zones) and all(
            abs(a - b) > _DST_SHIFT for a in self.zones for b in other.zones
        )

    def name(self) -> str:
        if self.dirs:
            return f"{_UNNAMED}{min(self.dirs)})"
        minutes = min(self.zones)
        sign = "-" if minutes < 0 else "+"
        return f"{_UNNAMED}UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


#: How the name of a machine no line names begins.
_UNNAMED = "unnamed ("


#: The most a host's UTC offset moves in a year (a DST change).
_DST_SHIFT = 60
#: A stamp's written offset: `+02:00`, `-0500`.
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def _block_hosts(rows: list[dict[str, Any]], fences: list[int], hosted: set[int]) -> dict[int, str]:
    """The host of each block naming none (not in ``hosted``): the named host
    it shares a state directory or zone with, else, apart from every named
    host, one of its own (blocks alike sharing it)."""
    if not fences:
        return {}
    named: dict[str, _Traits] = {}
    loose: dict[int, _Traits] = {}
    for row in rows:
        if isinstance(row.get("line"), int):
            host = row.get("host")
            block = bisect.bisect_right(fences, row["line"])
            traits = (
                named.setdefault(host, _Traits()) if host else loose.setdefault(block, _Traits())
            )
            traits.add(row)
    given: dict[int, str] = {}
    for block, traits in sorted(loose.items()):
        if block not in hosted and (host := _machine(traits, named)) is not None:
            given[block] = host
    return given


def _machine(traits: _Traits, named: dict[str, _Traits]) -> str | None:
    """The host lines of ``traits`` are: the one named host they share a state
    directory or zone with, else, apart from every named host, one of their own
    (added to ``named``, so lines alike share it); None when neither holds."""
    owners = [host for host, theirs in named.items() if traits.shares(theirs)]
    if len(owners) == 1:
        return owners[0]
    # Lines that show neither (a `Z` stamp is any machine's) set no machine apart.
    unmarked = not traits.dirs and not traits.zones
    if owners or unmarked or not all(traits.apart(theirs) for theirs in named.values()):
        return None
    named[own := traits.name()] = traits
    return own


#: The state directory a lock or transcript path lives in: what precedes `agents/`.
_STATE_DIR = re.compile(r"^(.+?)[/\\]agents[/\\][^/\\]+[/\\]")


def _state_dir(path: object) -> str | None:
    match = _STATE_DIR.match(path) if isinstance(path, str) else None
    return match.group(1) if match else None


def _hosted(frame: pl.DataFrame) -> bool:
    return "host" in frame.columns and "line" in frame.columns


def _placed(row: dict[str, Any]) -> bool:
    return row.get("host") is not None and isinstance(row.get("line"), int)


def _near(
    frame: pl.LazyFrame, marks: pl.DataFrame, fences: list[int], given: dict[int, str]
) -> pl.LazyFrame:
    """``frame`` with each null host as :func:`_host_at` gives it."""
    columns = frame.collect_schema().names()
    starts = pl.LazyFrame(
        {"_from": [0, *fences], "_block": range(len(fences) + 1)},
        schema={"_from": pl.Int64, "_block": pl.Int64},
    )
    keyed = (
        frame.with_row_index("_at")
        .with_columns(_line=pl.col("line").cast(pl.Int64))
        .sort("_line")
        .join_asof(starts, left_on="_line", right_on="_from", strategy="backward")
    )
    # The block's nearest mark above (`_inside`), else below (`_below`).
    sides: tuple[tuple[str, Literal["backward", "forward"]], ...] = (
        ("_inside", "backward"),
        ("_below", "forward"),
    )
    for name, strategy in sides:
        keyed = keyed.join_asof(
            marks.lazy().rename({"_near": name}),
            left_on="_line",
            right_on="line",
            by="_block",
            strategy=strategy,
            suffix=name,
            # Sorted by line on both sides (the marks are): polars cannot check it by group.
            check_sortedness=False,
        )
    keyed = keyed.join_asof(
        marks.lazy().select("line", "_near"), left_on="_line", right_on="line", suffix="_a"
    )
    blocks = pl.LazyFrame(
        {"_block": list(given), "_given": list(given.values())},
        schema={"_block": pl.Int64, "_given": pl.String},
    )
    first = marks.get_column("_near")[0] if marks.height else None
    filled = keyed.join(blocks, on="_block", how="left").with_columns(
        host=pl.coalesce("host", "_given", "_inside", "_below", "_near", pl.lit(first))
    )
    return filled.sort("_at").select(columns)


#: A Deployment's pod name: ``<deployment>-<pod-template hash>-<suffix>``,
#: both drawn from Kubernetes' safe alphabet (no vowels, no 0, 1 or 3).
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_POD = rf"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?-{_SAFE}{{6,10}}-{_SAFE}{{5}}"
#: The kubelet's log directory (``/var/log/pods/<ns>_<pod>_<uid>/``), or a
#: file or folder named after a pod (`kubectl logs <pod> > <pod>.log`, its
#: ``.previous`` container's log beside it).
_POD_PATH = re.compile(
    rf"(?:^|/)(?:[a-z0-9-]+_(?P<kubelet>{_POD})_[0-9a-f-]{{36}}/"
    rf"|(?P<named>{_POD})(?:[._-][a-z]+)?(?:\.(?:log|txt))?(?:/|$))"
)
_WHOLE_POD = re.compile(rf"{_POD}")


#: The words a saved command's output is named by before the pod's name
#: (`kubectl-describe-pod-<pod>.txt`, `logs-<pod>.txt`).
_COMMAND_WORDS = re.compile(
    r"^(?:(?:kubectl|describe|pods?|logs?|previous|events|doctor|status|top|ps|exec|get)-)+"
)


def pod_hosts(scans: list[FileScan]) -> None:
    """Give each input naming no host the pod its path names, when the paths
    name two pods or more: each pod is a host of its own (its hostname the
    pod's name).  Two replicas' `kubectl logs` saved under their pods' names,
    whose console lines name no host, are two gateways, not one of no host
    (Z219: one process "ended" by the other's start).  One pod's files stay one
    host however they are named (Z193).  A name that holds another's
    (`describe-<pod>.txt`) is that pod's.  Given through ``copied_host``."""
    found = {
        scan.source: _COMMAND_WORDS.sub("", m["kubelet"] or m["named"])
        for scan in scans
        if scan.copied_host is None
        and not any(r.get("host") for r in scan.rows)
        and (m := _POD_PATH.search(scan.source)) is not None
    }
    # Pods the lines name too (`kubectl logs --prefix`'s `[pod/<pod>/…]`): with
    # them, the files named after a pod are two hosts' (Z239: a `describe` of
    # one pod beside a `.follow.log` of the other gave no host).
    lines_name = {h for scan in scans for r in scan.rows if isinstance(h := r.get("host"), str)} | {
        h
        for scan in scans
        for f in scan.frames
        if "host" in f.columns
        for h in f.get_column("host").drop_nulls().unique().to_list()
    }
    named = set(found.values()) | {h for h in lines_name if _WHOLE_POD.fullmatch(h)}
    pods = sorted(
        (p for p in named if not any(p != o and p.endswith("-" + o) for o in named)),
        key=len,
        reverse=True,
    )
    if len(pods) < 2:
        return
    for scan in scans:
        if (pod := found.get(scan.source)) is not None:
            scan.copied_host = next((p for p in pods if p in pod), None)


def copied_hosts(detail: pl.DataFrame, scans: list[FileScan]) -> pl.DataFrame:
    """The detail rows of an input naming no host, given the one host its copies
    of another input's lines name (FileScan.copied_host): a row naming it is
    enough for the input to take it (epochs.fallback_hosts)."""
    copied = {s.source: s.copied_host for s in scans if s.copied_host is not None}
    if not copied:
        return detail
    given = pl.col("source").replace_strict(copied, default=None, return_dtype=pl.String)
    return detail.with_columns(pl.coalesce("host", given).alias("host"))
