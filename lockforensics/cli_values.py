"""Turning option and argument text into values, for the shapes this CLI declares.

Typer 0.29 turns every parameter's text into its value through a pydantic
``TypeAdapter`` that it builds the first time the parameter is read, and the
first one imports pydantic: 0.09-0.12 s of the 1.0 s a cached report on a busy
bundle takes (docs/performance.md), for parameters that are text, paths,
numbers and enums.  Those shapes are converted here, the way Typer converts
them and with its messages; a parameter of any other shape (a date, a tuple,
an open file) keeps Typer's own conversion.

Typer reads the converter from the parameter's ``_runtime_param`` and builds
one only while that is None.  Should a later Typer stop reading it, the values
are still converted, by Typer, only not as fast: ``test_cli_values`` says so.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from typer._click import Context, Parameter
from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam
from typer._param_types import coerce_cli_choice, coerce_cli_path
from typer.core import _TyperParameter
from typer.models import ParameterInfo

_Convert = Callable[[Any, _TyperParameter, Context], Any]
_P = TypeVar("_P", bound=Parameter)


class _Converted(RuntimeParam):
    """Typer's runtime parameter (None and bad lists handled there), converting with ``convert``."""

    def __init__(self, annotation: Any, parameter_info: ParameterInfo, convert: _Convert) -> None:
        super().__init__(parameter_info=parameter_info, annotation=annotation)
        object.__setattr__(self, "convert", convert)  # RuntimeParam is a frozen dataclass

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        convert: _Convert = self.convert  # type: ignore[attr-defined]
        return convert(value, param, ctx)


def installed(params: list[_P]) -> list[_P]:
    """``params``, each Typer parameter of a known shape given this module's converter."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", None) is not None:
            continue
        convert = _converter(descriptor.annotation, descriptor.parameter_info)
        if convert is not None:
            param._runtime_param = _Converted(  # type: ignore[attr-defined]
                descriptor.annotation, descriptor.parameter_info, convert
            )
    return params


def _converter(annotation: Any, info: ParameterInfo) -> _Convert | None:
    annotation = _without_none(annotation)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        one = _leaf(_without_none(item), info)
        if one is None:
            return None
        each = one

        def convert_all(value: Any, param: _TyperParameter, ctx: Context) -> list[Any]:
            values = value if isinstance(value, (list, tuple)) else [value]
            return [each(v, param, ctx) for v in values]

        return convert_all
    return _leaf(annotation, info)


def _without_none(annotation: Any) -> Any:
    """``X | None`` (or ``Optional[X]``) as ``X``; Typer passes None through itself."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _leaf(annotation: Any, info: ParameterInfo) -> _Convert | None:
    if info.parser is not None:
        parse = info.parser
        return lambda value, _param, _ctx: parse(value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(tuple(annotation), info.case_sensitive)
    if annotation is str:
        return lambda value, _param, _ctx: value if isinstance(value, str) else str(value)
    if annotation is bool:
        return _flag
    if annotation in (int, float) and not info.clamp:
        return _number(annotation, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type is None:
        return _path(annotation, info)
    return None


# pydantic's words for a bool, which Typer's conversion accepts.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"", "0", "off", "f", "false", "n", "no"})


def _flag(value: Any, param: _TyperParameter, ctx: Context) -> bool:
    """A flag's value: already a bool when given, else its default's or an environment's text."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise BadParameter(
        "Input should be a valid boolean, unable to interpret input", ctx=ctx, param=param
    )


def _choice(choices: tuple[Enum, ...], case_sensitive: bool) -> _Convert:
    def convert(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
        except ValueError as exc:
            raise BadParameter(str(exc), ctx=ctx, param=param) from exc

    return convert


_NOT_A = {
    int: "Input should be a valid integer, unable to parse string as an integer",
    float: "Input should be a valid number, unable to parse string as a number",
}


def _number(kind: type[int] | type[float], low: float | None, high: float | None) -> _Convert:
    def convert(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            number = value if isinstance(value, kind) else kind(str(value).strip())
        except ValueError:
            raise BadParameter(_NOT_A[kind], ctx=ctx, param=param) from None
        if low is not None and number < low:
            raise BadParameter(
                f"Input should be greater than or equal to {low}", ctx=ctx, param=param
            )
        if high is not None and number > high:
            raise BadParameter(
                f"Input should be less than or equal to {high}", ctx=ctx, param=param
            )
        return number

    return convert


def _path(kind: type[Path], info: ParameterInfo) -> _Convert:
    def convert(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        # Typer's own path checks (exists, file_okay, ...), given a Path so
        # they need no adapter to make one.
        given = value if isinstance(value, kind) else kind(value)
        return coerce_cli_path(given, info, path_type=kind, param=param, ctx=ctx)

    return convert
