"""Option and argument values converted without pydantic, as Typer converts them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

from lockforensics import cli_values
from lockforensics.cli import app

# Text a user could type for each shape, good and bad.
_TEXTS = [
    "",
    " ",
    "0",
    "1",
    "-1",
    " 7 ",
    "1.5",
    "2000",
    "1e3",
    "x",
    "json",
    "JSON",
    "csv",
    "terminal",
    "5m",
    "true",
    "no",
    "/tmp",
    "./a b",
]


def _every_parameter() -> list[tuple[str, Context, _TyperParameter]]:
    root = typer.main.get_command(app)
    found = []
    with Context(root, info_name="lockforensics") as ctx:
        found += [("", ctx, p) for p in root.get_params(ctx) if isinstance(p, _TyperParameter)]
        for name, command in root.commands.items():  # type: ignore[attr-defined]
            with Context(command, parent=ctx, info_name=name) as sub:
                found += [
                    (name, sub, p)
                    for p in command.get_params(sub)
                    if isinstance(p, _TyperParameter)
                ]
    return found


def _outcome(convert: Any, value: Any, param: _TyperParameter, ctx: Context) -> tuple[str, Any]:
    try:
        return ("value", convert.coerce(value, param=param, ctx=ctx))
    except BadParameter as exc:
        return ("error", exc.message)


def test_every_parameter_is_converted_here() -> None:
    """A parameter of a shape this module does not know would bring pydantic back."""
    params = _every_parameter()
    assert len(params) > 40
    left = [
        f"{cmd} --{p.name}"
        for cmd, _ctx, p in params
        if not isinstance(p._runtime_param, cli_values._Converted)
    ]
    assert not left


@pytest.mark.parametrize("text", _TEXTS)
def test_conversion_is_typers(text: str) -> None:
    """Each parameter's value, or its error, is what Typer's own conversion gives."""
    for cmd, ctx, param in _every_parameter():
        ours = param._runtime_param
        theirs = build_runtime_param(param.type_descriptor)
        value: Any = (text,) if (param.multiple or param.nargs == -1) else text
        mine, typer_s = _outcome(ours, value, param, ctx), _outcome(theirs, value, param, ctx)
        if mine[0] == "error" and typer_s[0] == "error":
            # Typer's choice message carries pydantic's "Value error, " prefix.
            assert typer_s[1].removeprefix("Value error, ") == mine[1], (cmd, param.name)
        else:
            assert mine == typer_s, (cmd, param.name, text)


def test_a_report_does_not_import_pydantic(sample_dir: Path, tmp_path: Path) -> None:
    """The point of the module: 0.1 s of a cached report's 1 s went to importing it."""
    code = (
        "import sys\n"
        "from lockforensics.cli import main\n"
        f"sys.argv = ['lockforensics', 'report', {str(sample_dir)!r}, '-f', 'json',"
        f" '-o', {str(tmp_path / 'r.json')!r}, '-j', '1', '--window', '90s']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pydantic' in sys.modules)\n"
    )
    env = {**os.environ, "LOCKFORENSICS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stdout.strip().splitlines()[-1] == "False", proc.stderr
    assert (tmp_path / "r.json").stat().st_size > 0
