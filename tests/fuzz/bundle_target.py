"""Coverage-guided fuzz target (atheris/libFuzzer): bytes → a nested bundle → ingest.

Run by ``tests/test_fuzz_atheris.py`` for a few seconds in CI; by hand, longer:

    python tests/fuzz/bundle_target.py -max_total_time=600 -artifact_prefix=/tmp/

The fuzzer's bytes pick a real seed input (every envelope and document of the
sample), damage it, and wrap it in tar/zip/gzip/zstd layers.  Any exception
other than the documented "nothing readable" DataError is a crash: libFuzzer
saves the input, and it becomes a regression test in ``tests/test_fuzz.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["lockforensics", "tests"]):
    from lockforensics.errors import DataError
    from lockforensics.pipeline import ingest
    from tests.fuzzing import SEEDS, container, damage, mutate

NAMES = sorted(SEEDS)
KINDS = ("tar", "zip", "gzip", "zstd", "xz", "bzip2")
SCRATCH = Path(tempfile.mkdtemp(prefix="lockforensics-fuzz-"))


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    text = mutate(
        SEEDS[name],
        fdp.ConsumeIntInRange(0, 1 << 16),
        fdp.ConsumeIntInRange(0, 200),
        fdp.ConsumeIntInRange(0, 200),
        fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 200)),
    )
    payload = text.encode()
    shown = name
    for _ in range(fdp.ConsumeIntInRange(0, 3)):
        shown, payload = container(KINDS[fdp.ConsumeIntInRange(0, 3)], shown, payload)
    if fdp.ConsumeBool():
        payload = damage(
            payload,
            fdp.ConsumeIntInRange(0, 1 << 20),
            fdp.ConsumeIntInRange(0, 255),
            fdp.ConsumeBool(),
        )
    path = SCRATCH / "input.bin"
    path.write_bytes(payload)
    try:
        result = ingest([path], jobs=1)
    except DataError:
        return
    result.close()  # libFuzzer exits without the interpreter's teardown
    for scan in result.files:
        if scan.event_lines + scan.noise_lines + scan.unrecognized != scan.lines:
            raise AssertionError(f"{scan.source}: lines not accounted for")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
