"""The README's promises: exactly two commands, and CI runs the test one verbatim."""

from __future__ import annotations

import re

from lockforensics.errors import ExitCode
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```sh\n(.+?)\n```", README, flags=re.S)


def test_readme_has_exactly_two_commands() -> None:
    """One command writes the sample's output, one runs the tests; nothing else to run."""
    assert len(COMMANDS) == 2
    assert all("\n" not in c for c in COMMANDS)
    assert "samples/" in COMMANDS[0]
    assert "pytest" in COMMANDS[1]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls the README's second command, character for character."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert COMMANDS[1] in ci.splitlines()


def test_readme_documents_every_exit_code() -> None:
    """Every ExitCode appears in the README's exit-code table."""
    for code in ExitCode:
        assert f"| {int(code)} |" in README, code
