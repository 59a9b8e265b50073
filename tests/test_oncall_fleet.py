"""The fleet store, the fleet report, SQL over the tables, and before/after comparison."""

from __future__ import annotations

import json
import math
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.errors import ExitCode, UsageError
from lockforensics.findings import Settings
from lockforensics.oncall import compare, fleet, sql, store
from lockforensics.oncall.output import OncallFormat
from lockforensics.oncall.poisson import binom_two_sided, clopper_pearson, compare_rates
from lockforensics.oncall.sources import events_of, findings_of
from lockforensics.pipeline import analyze, ingest
from tests.conftest import SAMPLE

HOSTS = ("gw-a", "gw-b", "gw-c")


def _gateway(root: Path, host: str, calm: bool) -> Path:
    """A copy of the sample bundle that names ``host``; ``calm``: no lock-stale lines at all."""
    bundle = root / host
    shutil.copytree(SAMPLE, bundle)
    for path in bundle.rglob("*"):
        if path.is_file() and path.suffix in {".txt", ".log"}:
            text = path.read_text(encoding="utf-8")
            if calm:
                lines = text.splitlines(keepends=True)
                text = "".join(x for x in lines if "session file lock stale" not in x)
            path.write_text(text.replace("gw-prod-01", host), encoding="utf-8")
    return bundle


@pytest.fixture(scope="module")
def fleet_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three generated gateways ingested into one store (gw-c logged no lock-stale)."""
    root = tmp_path_factory.mktemp("fleet")
    directory = root / "store"
    for host in HOSTS:
        events = events_of(_gateway(root, host, calm=host == "gw-c"))
        store.write(events, directory, [{"host": host}])
    return directory


def test_store_is_hive_partitioned_by_host_and_date(fleet_store: Path) -> None:
    """Every file sits under host=…/date=…/ and its rows carry that host."""
    files = sorted(fleet_store.glob("host=*/date=*/*.parquet"))
    assert {f.parent.parent.name for f in files} == {f"host={h}" for h in HOSTS}
    for path in files:
        hosts = set(pl.read_parquet(path).get_column("host").to_list())
        assert hosts == {path.parent.parent.name.removeprefix("host=")}


def test_reingesting_replaces_rows(fleet_store: Path, tmp_path: Path) -> None:
    """Ingesting the same inputs twice leaves one copy of their rows."""
    copy = tmp_path / "store"
    shutil.copytree(fleet_store, copy)
    before = store.load(copy).height
    events = events_of(_gateway(tmp_path, "gw-a", calm=False))
    store.write(events, copy, [{"again": True}])
    store.write(events, copy, [{"again": True}])
    assert store.load(copy).height == before
    assert store.load(copy, "gw-a").height == events.height


def test_duckdb_reads_the_store_unchanged(fleet_store: Path) -> None:
    """DuckDB reads the directory as one table and sees the same rows per host."""
    pattern = str(fleet_store / "**" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT host, count(*) FROM read_parquet('{pattern}', hive_partitioning = true) "
        "GROUP BY host ORDER BY host"
    ).fetchall()
    ours = store.load(fleet_store).group_by("host").len().sort("host").rows()
    assert rows == ours


def test_a_host_the_store_does_not_hold_is_a_usage_error_naming_those_it_does(
    fleet_store: Path,
) -> None:
    """`--host gw-z` is a typo to fix (exit 2), and the hosts there are are named
    (Z143: exit 65, "bad data", and no hosts)."""
    with pytest.raises(UsageError, match="gw-a, gw-b, gw-c"):
        store.load(fleet_store, "gw-z")


def test_fleet_report_ranks_hosts_by_lock_error_rate(fleet_store: Path) -> None:
    """The fleet report covers every host; the host without lock-stale errors ranks last."""
    report = fleet.fleet(store.load(fleet_store), Settings())
    assert [h.host for h in report.hosts][-1] == "gw-c"
    assert {h.host for h in report.hosts} == set(HOSTS)
    rates = [h.lock_errors_per_hour or 0.0 for h in report.hosts]
    assert rates == sorted(rates, reverse=True)
    assert report.hosts[0].incidents == 3
    assert set(report.incidents.get_column("host").to_list()) >= {"gw-a", "gw-b"}
    markdown = fleet.render(report, OncallFormat.MD)
    assert "| 1 | gw-a |" in markdown
    # Resolvers and times read as in the single-host report (Z157: `gateway_restart`,
    # ISO stamps).
    assert "sessions cleanup run" in markdown
    assert "cleanup_run" not in markdown
    assert "| 2026-05-28 06:45:00 |" in markdown
    document = json.loads(fleet.render(report, OncallFormat.JSON))
    assert [h["host"] for h in document["hosts"]] == [h.host for h in report.hosts]


def test_cli_ingest_and_report_from_store(tmp_path: Path) -> None:
    """`ingest --store` then `report --store --host` gives that host's usual JSON report."""
    bundle = _gateway(tmp_path, "gw-z", calm=False)
    runner = CliRunner()
    directory = tmp_path / "store"
    done = runner.invoke(app, ["ingest", str(bundle), "--store", str(directory), "-q"])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(
        app, ["report", "--store", str(directory), "--host", "gw-z", "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    assert len(json.loads(shown.stdout)["incidents"]) == 3


def test_sql_over_events_and_derived_tables(fleet_store: Path) -> None:
    """SQL sees events, failures, incidents and uptime for every host; output as CSV and JSON."""
    frames = sql.tables(store.load(fleet_store), Settings())
    result = sql.query(
        frames,
        "SELECT f.host, count(*) AS failures, max(u.hours) AS hours FROM failures f "
        "JOIN (SELECT host, sum(hours) AS hours FROM uptime GROUP BY host) u ON f.host = u.host "
        "GROUP BY f.host ORDER BY f.host",
    )
    assert result.get_column("host").to_list() == list(HOSTS)
    assert result.get_column("failures").to_list()[0] == 52
    csv = sql.render(frames["incidents"].head(1), sql.SqlFormat.CSV)
    assert csv.splitlines()[0].startswith("host,incident")
    assert json.loads(sql.render(result, sql.SqlFormat.JSON))[0]["host"] == "gw-a"


def test_sql_over_a_bundle_numbers_what_its_report_numbers(tmp_path: Path) -> None:
    """Over a bundle of two gateways, `sql` correlates as `report` does: incident
    and epoch ids are the report's (not numbered again per host), each failure
    has its epoch's version, and the uptime of a process still running at the
    end runs to its host's last line, not its last event."""
    for host in ("gw-a", "gw-b"):
        _gateway(tmp_path / "bundle", host, calm=False)
    bundle = tmp_path / "bundle"
    findings = analyze(ingest([bundle]), Settings())
    runner = CliRunner()
    env = {"LOCKFORENSICS_CACHE_DIR": str(tmp_path / "cache")}

    def sql_rows(statement: str) -> list[dict[str, object]]:
        done = runner.invoke(app, ["sql", str(bundle), statement, "-f", "json"], env=env)
        assert done.exit_code == 0, done.output
        rows: list[dict[str, object]] = json.loads(done.stdout)
        return rows

    incidents = sql_rows("SELECT host, incident, epoch FROM incidents ORDER BY incident")
    assert [(r["host"], r["incident"], r["epoch"]) for r in incidents] == [
        (str(h), int(i), int(e))
        for h, i, e in findings.incidents.select("host", "incident", "epoch")
        .sort("incident")
        .iter_rows()
    ]
    assert len({r["incident"] for r in incidents}) == findings.incidents.height == 6
    versions = sql_rows("SELECT DISTINCT epoch, version FROM failures ORDER BY epoch")
    epochs = findings.epochs.select("epoch", "version").sort("epoch").rows()
    assert [(r["epoch"], r["version"]) for r in versions] == epochs
    assert "2026.5.22" in {r["version"] for r in versions}
    # Lines naming no host (the file logs, the cleanup outputs) are their
    # epoch's host's, as the report places them: none is "unknown".
    hosts = sql_rows("SELECT DISTINCT host FROM events WHERE ts IS NOT NULL ORDER BY host")
    assert [r["host"] for r in hosts] == ["gw-a", "gw-b"]
    # gw-a's process still running at the end: its uptime runs to gw-a's last line.
    running = findings.epochs.filter(pl.col("end").is_null() & (pl.col("host") == "gw-a"))
    assert running.get_column("last_line").to_list() == [findings.window_end]


def test_sql_csv_carries_no_terminal_escapes() -> None:
    """A CSV read in a terminal is hostile text there: the lane's OSC 52 (a
    clipboard write) and CSI leave as U+FFFD and nothing, like every report's."""
    lane = "session:agent:main:\x1b]52;c;ZXZpbA==\x07x\x1b[2J"
    frame = pl.DataFrame({"lane": [lane], "n": [1]})
    csv = sql.render(frame, sql.SqlFormat.CSV)
    assert "\x1b" not in csv
    assert "\x07" not in csv
    assert "session:agent:main:" in csv


def test_sql_errors_are_one_line_usage_errors() -> None:
    """A bad statement is the user's: a usage error (exit 2) naming the problem,
    not a traceback, nor "bad data" (65) that would blame the bundle.  A column
    named like an SQL word (`end`) is said to need quotes."""
    epochs = {"epochs": pl.DataFrame({"start": [1], "end": [2]})}
    with pytest.raises(UsageError, match=r"^SQL: ") as caught:
        sql.query({"events": pl.DataFrame({"a": [1]})}, "SELECT nope FROM events")
    assert caught.value.exit_code == ExitCode.USAGE
    with pytest.raises(UsageError, match='needs double quotes: "end"'):
        sql.query(epochs, "SELECT start, end FROM epochs")
    assert sql.query(epochs, 'SELECT start, "end" FROM epochs').rows() == [(1, 2)]
    # The tables live for one statement: a DROP would change nothing (Z157: `0 rows`).
    with pytest.raises(UsageError, match="only queries"):
        sql.query(epochs, "DROP TABLE epochs")


def test_sql_json_writes_times_as_the_json_report_does() -> None:
    """UTC with a `Z`, as everywhere else in the JSON (Z157: `2026-12-04 12:40:05+00:00`)."""
    at = datetime(2026, 12, 4, 12, 40, 5, tzinfo=UTC)
    text = sql.render(pl.DataFrame({"ts": [at]}), sql.SqlFormat.JSON)
    assert json.loads(text) == [{"ts": "2026-12-04T12:40:05.000Z"}]


def test_poisson_test_matches_known_values() -> None:
    """The exact conditional test and Clopper-Pearson bounds match textbook values."""
    assert math.isclose(binom_two_sided(2, 12, 0.5), 2 * (1 + 12 + 66) / 4096, rel_tol=1e-9)
    # 9 before, 2 after over equal hours: twice the lower tail, 2 * 67 / 2048.
    assert math.isclose(binom_two_sided(2, 11, 0.5), 2 * 67 / 2048, rel_tol=1e-9)
    low, high = clopper_pearson(5, 10)
    assert math.isclose(low, 0.187086, abs_tol=1e-5)
    assert math.isclose(high, 0.812914, abs_tol=1e-5)
    better = compare_rates(40, 100.0, 10, 100.0)
    assert better.ratio == 0.25
    assert better.ratio_high is not None
    assert better.ratio_high < 1
    assert better.p_value is not None
    assert better.p_value < 0.001
    same = compare_rates(10, 10.0, 10, 10.0)
    assert same.p_value == 1.0
    assert compare_rates(0, 10.0, 0, 10.0).p_value is None


def test_compare_sides_per_kind_agent_and_version(fleet_store: Path) -> None:
    """A host without lock-stale errors shows a lower rate; rows per kind, agent and version."""
    settings = Settings()
    before = compare.side("a", store.load(fleet_store, "gw-a"), settings)
    after = compare.side("c", store.load(fleet_store, "gw-c"), settings)
    rows = {(r.dimension, r.value): r.stats for r in compare.compare(before, after)}
    total = rows["kind", "all"]
    assert total.x1 == 52
    assert total.x2 < total.x1
    assert ("version", "2026.5.22") in rows
    assert any(d == "agent" for d, _ in rows)
    document = json.loads(compare.render(before, after, list(compare.compare(before, after)),
                                         OncallFormat.JSON))  # fmt: skip
    assert document["rows"][3]["value"] == "all"


@settings(max_examples=200, deadline=None)
@given(
    before=st.integers(0, 40),
    after=st.integers(0, 40),
    hours=st.floats(0.2, 5.0),
)
def test_the_interval_and_the_test_give_one_verdict(before: int, after: int, hours: float) -> None:
    """The 95 % interval leaves out a ratio of 1 exactly when p < 0.05: a row
    never calls a change significant while its interval says it may be none."""
    result = compare_rates(before, 100.0, after, 100.0 * hours)
    if result.p_value is None or result.ratio_low is None:
        return
    high = math.inf if result.ratio_high is None else result.ratio_high
    holds_one = result.ratio_low <= 1.0 <= high
    # Bisection puts the bounds within 1e-9 of their root: near p = 0.05 either
    # reading may come out, so a margin keeps the test to clear cases.
    assume(abs(result.p_value - 0.05) > 1e-6)
    assert holds_one == (result.p_value >= 0.05)


def test_sql_names_a_hostless_failures_host_as_the_report_does(tmp_path: Path) -> None:
    """A console capture naming no host (`kubectl logs`) beside its host's journal
    in `gw-a/`: its failures are gw-a's in the report's incidents, and in `sql`'s
    failures, lock_errors and stuck_alive too, not "unknown"."""
    bundle = tmp_path / "bundle" / "gw-a"
    bundle.mkdir(parents=True)
    (bundle / "journal.txt").write_text(
        "2026-06-20T09:14:08+0000 gw-a node[7]: [gateway] listening on ws://0.0.0.0:18789 "
        "(PID 7)\n",
        encoding="utf-8",
    )
    lock = "/h/.openclaw/agents/main/sessions/11111111-2222-3333-4444-555555555555.jsonl.lock"
    (bundle / "kubectl-logs.txt").write_text(
        "".join(
            f"2026-06-20T09:{m}:00.000+00:00 [diagnostic] session file locked "
            f"(timeout 10000ms): pid=7 alive=true {lock}\n"
            for m in (20, 21)
        ),
        encoding="utf-8",
    )
    env = {"LOCKFORENSICS_CACHE_DIR": str(tmp_path / "cache")}
    for table in ("incidents", "failures", "lock_errors", "stuck_alive"):
        done = CliRunner().invoke(
            app,
            ["sql", str(tmp_path / "bundle"), f"SELECT DISTINCT host FROM {table}", "-f", "json"],
            env=env,
        )
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout) == [{"host": "gw-a"}], table


def test_a_log_ingested_again_by_another_path_or_grown_is_read_once(tmp_path: Path) -> None:
    """The same bundle ingested as `gw-a`, then from a folder inside it, and a later
    collection of a log that grew: each failure once, its later lines too (Z157:
    every failure counted twice, a lone failure an incident of two)."""
    bundle = _gateway(tmp_path, "gw-a", calm=False)
    directory = tmp_path / "store"
    once = events_of(bundle)
    store.write(once, directory, [{"as": "bundle"}])
    store.write(events_of(bundle / "tmp-openclaw"), directory, [{"as": "inside"}])
    assert store.load(directory).height == once.height
    grown = tmp_path / "collect2"
    shutil.copytree(bundle, grown)
    log = sorted((grown / "tmp-openclaw").rglob("*.log"))[-1]
    extra = log.read_text(encoding="utf-8").splitlines(keepends=True)[-1]
    with log.open("a", encoding="utf-8") as handle:
        handle.write(extra.replace("2026-05-28", "2026-05-29"))
    store.write(events_of(grown), directory, [{"as": "grown"}])
    assert once.height < store.load(directory).height <= once.height + 1


def test_compare_counts_a_bundles_hours_from_its_logs_first_and_last_lines(
    tmp_path: Path,
) -> None:
    """A side's uptime is the time its logs cover, as the report counts it: a
    gateway running from the first line of a quiet log, not from its first
    failure ten hours on (Z161: 36 h of a side's 362 lost, its rate too high)."""
    lock = "session file locked (timeout 10000ms): pid=77 /h/.openclaw/agents/main/sessions/{}.jsonl.lock"
    quiet = "[telegram] Inbound message from 42 (dm)"
    for side, day in (("before", "08"), ("after", "09")):
        folder = tmp_path / side
        folder.mkdir()
        (folder / "gateway.log").write_text(
            f"2026-06-{day}T00:00:00.000+00:00 {quiet}\n"
            + "".join(
                f"2026-06-{day}T10:00:0{n}.000+00:00 Embedded agent failed before reply: "
                + lock.format(f"s{n}")
                + "\n"
                for n in range(2)
            )
            + f"2026-06-{day}T20:00:00.000+00:00 {quiet}\n",
            encoding="utf-8",
        )
    sides = [
        compare.side_of(side, findings_of(tmp_path / side, Settings()))
        for side in ("before", "after")
    ]
    assert [round(s.hours, 3) for s in sides] == [20.0, 20.0]


def test_host_filters_a_bundle_as_it_filters_a_store(tmp_path: Path) -> None:
    """`--host gw-b` over a bundle of gw-a and gw-b: `report`, `sql` and `compare`
    show gw-b's failures, incidents and epochs only, the report says it is
    filtered, and a host no input holds is a usage error naming those it does
    (Z233: the option was ignored, exit 0, gw-a's incidents listed unfiltered)."""
    for host in ("gw-a", "gw-b"):
        _gateway(tmp_path / "bundle", host, calm=host == "gw-a")
    bundle = tmp_path / "bundle"
    whole = analyze(ingest([bundle]), Settings())
    theirs = whole.incidents.filter(pl.col("host") == "gw-b").get_column("incident").to_list()
    assert 0 < len(theirs) < whole.incidents.height
    runner = CliRunner()
    env = {"LOCKFORENSICS_CACHE_DIR": str(tmp_path / "cache")}

    def run(*args: str, host: tuple[str, ...] = ("--host", "gw-b")) -> str:
        done = runner.invoke(app, [*args, *host], env=env)
        assert done.exit_code == 0, done.output
        return done.stdout

    report = json.loads(run("report", str(bundle), "-f", "json"))
    assert [i["id"] for i in report["incidents"]] == theirs
    assert {e["host"] for e in report["gateway_epochs"]} == {"gw-b"}
    assert report["settings"]["host"] == "gw-b"
    # The ingest summary stays whole: the filter scopes conclusions, not reading.
    unfiltered = json.loads(run("report", str(bundle), "-f", "json", host=()))
    assert report["inputs"] == unfiltered["inputs"]
    assert "--host gw-b: every count" in run("report", str(bundle), "-f", "md")
    for table in ("failures", "incidents", "epochs", "events", "uptime"):
        rows = json.loads(
            run("sql", str(bundle), f"SELECT DISTINCT host FROM {table}", "-f", "json")
        )
        assert rows == [{"host": "gw-b"}], table
    sides = json.loads(run("compare", str(bundle), str(bundle), "-f", "json"))
    assert sides["before"]["hosts"] == sides["after"]["hosts"] == ["gw-b"]
    for args in (["report", str(bundle)], ["sql", str(bundle), "SELECT 1"]):
        done = runner.invoke(app, [*args, "--host", "nosuch"], env=env)
        assert isinstance(done.exception, UsageError), done.output
        assert str(done.exception).endswith("no host nosuch; the bundle holds gw-a, gw-b")
