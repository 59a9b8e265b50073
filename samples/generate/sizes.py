"""``--size`` values: ``200MB``, ``1GB``, ``1.5G``, ``750K``, ``123``."""

from __future__ import annotations

import argparse
import re


def parse_size(text: str) -> int:
    """'200MB', '1GB', '1.5G', '750K', '123' -> bytes (binary multiples)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200MB or 1GB)")
    number, unit = match.groups()
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[unit]
    return int(float(number) * scale)
