"""Runs of commands appended to one file, and where each starts.

A cron job that appends a command's output to one log writes, for each run,
often a ``date`` line and then the CLI banner every openclaw command prints
(``🦞 OpenClaw 2026.5.22 (a374c3a) — …``, openclaw-formats §5), then the
output: text for one run, ``--json`` for the next, a ``doctor`` now and then.
Such a file is no one document; each run is (lockforensics/parsing/document_scan.py).
A shell session an operator saved or pasted is the same: each ``$ command``
begins a run, and the output of ``$ cat <file>`` is that file (a lock file's
payload, read as the lock file it is).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lockforensics.parsing.documents.timing import stamp_line
from lockforensics.parsing.fields import basename
from lockforensics.parsing.literals import CLI_BANNER
from lockforensics.parsing.timestamps import Stamp

BANNER = re.compile(CLI_BANNER)
#: A shell prompt and its command: ``$ cmd``, bash's ``user@host:~$ cmd`` and
#: ``root@host:/# cmd``, zsh's (macOS) ``user@host ~ % cmd``, PowerShell's
#: ``PS C:\\Users\\ana> cmd``.
_PROMPT_HEAD = r"^(?:\$|[\w.-]+@[\w.-]+(?::[^\s$#%]*| [^\s$#%]+)? ?[$#%]|PS [A-Za-z]:\\[^>]*>)"
PROMPT = re.compile(_PROMPT_HEAD + r" (?P<command>\S.*)$")
#: The prompt a saved session ends with, no command typed: the run above ends there.
BARE_PROMPT = re.compile(_PROMPT_HEAD + "$")
#: A prompt line, with its command or bare: in a saved log capture, known, no log
#: line (the polars chunk engine searches it, so it is a pattern, not a regex).
PROMPT_LINE = _PROMPT_HEAD + r"(?: \S.*)?\s*$"
#: What runs a command inside the gateway's container or as root: ``sudo``,
#: ``kubectl [-n ns] exec <pod> [-c c] --``, ``docker [compose] exec [-it] <name>``
#: (a lock file in a pod is read so: Z193, its path and session lost).
_INSIDE = (
    r"(?:sudo (?:-\S+ )*)?"
    r"(?:(?:kubectl|oc) (?:\S+ )*?exec (?:\S+ )*?-- "
    r"|(?:docker(?: compose|-compose)?|podman) exec (?:-\S+ )*\S+ )?"
)
_FILE = r"[^\s*?|;&<>'\"]+"
#: What prints one file: ``cat``, PowerShell's ``Get-Content`` (``gc``,
#: ``type``; ``-Raw``, ``-Path``), cmd's ``type``.
_PRINT = r"(?:cat|(?i:get-content|gc|type)(?: -(?i:raw|path|literalpath))*)"
#: The one file a ``cat`` prints (no options, no glob, no pipe), maybe through
#: ``sh -c '…'``.
_CAT = re.compile(
    rf"^{_INSIDE}(?:{_PRINT} (?P<path>{_FILE})(?: -(?i:raw))?"
    rf"|(?:sh|bash) -c (?P<q>['\"])cat (?P<quoted>{_FILE})(?P=q))$"
)
#: A ``date`` command (``date``, ``date -u``, ``date -Is``), not a pipeline.
_DATE = re.compile(r"^date(?: +-[\w=:+-]+)*\s*$")


def preamble(line: str) -> bool:
    """A line a run begins with: a stamp (``date``, ISO), the CLI banner, a prompt,
    or a rule around a stamp (a PowerShell transcript's `****`)."""
    text = line.strip()
    prompt = PROMPT.match(text) or BARE_PROMPT.match(text)
    return bool(BANNER.match(text) or prompt or _RULE.match(text)) or stamp_line(text) is not None


#: A line of rule characters only.
_RULE = re.compile(r"^[*=~#-]{3,}$")


#: A command run on another machine or in a container (``ssh``, ``docker
#: exec``, ``kubectl exec``): its clock's zone is not the session's.
_ELSEWHERE = re.compile(
    r"^(?:sudo (?:-\S+ )*)?(?:ssh\b|(?:kubectl|oc) .*\bexec\b"
    r"|(?:docker(?: compose|-compose)?|podman)\b.*\bexec\b)"
)


def runs_elsewhere(line: str) -> bool:
    """Whether a prompt line's command runs on another machine or in a container."""
    prompt = PROMPT.match(line.strip())
    return prompt is not None and _ELSEWHERE.match(prompt["command"].strip()) is not None


#: ``kubectl [opts] exec [opts] <pod> [opts] -- …``: the options that take a value.
_KUBECTL_EXEC = re.compile(r"^(?:sudo (?:-\S+ )*)?(?:kubectl|oc)\b(?P<args>.*?)\s--\s")
_VALUED = frozenset(("-n", "--namespace", "-c", "--container", "--context", "--kubeconfig"))


def exec_pod(line: str) -> str | None:
    """The pod a prompt line's ``kubectl exec`` runs its command in, else None:
    what that command prints is the pod's, the host its `kubectl logs --prefix`
    lines name (Z239: a pod's `ps` placed on no host, its gateway pid lost)."""
    prompt = PROMPT.match(line.strip())
    run = _KUBECTL_EXEC.match(prompt["command"].strip()) if prompt else None
    if run is None:
        return None
    words = run["args"].split()
    if "exec" not in words:
        return None
    after = words[words.index("exec") + 1 :]
    skip = False
    for word in after:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return word.removeprefix("pod/")
    return None


def cat_target(line: str) -> str | None:
    """The file a ``$ cat <file>`` prompt line prints, else None."""
    prompt = PROMPT.match(line.strip())
    cat = _CAT.match(prompt["command"].strip()) if prompt else None
    return (cat["path"] or cat["quoted"]) if cat else None


@dataclass(frozen=True, slots=True)
class Release:
    """What a command typed in a session let go of: the lock files it removed
    (by name), the processes it signalled, or the whole gateway (stopped or
    restarted): a lock file printed before it was held then, not as the
    bundle was collected."""

    files: frozenset[str] = frozenset()
    pids: frozenset[int] = frozenset()
    gateway: bool = False

    def frees(self, row: dict[str, object]) -> bool:
        """Whether this release let go of the lock file ``row``."""
        name = basename(str(row.get("lock_path") or ""))
        return self.gateway or name in self.files or row.get("pid") in self.pids


#: A process signalled: ``kill [-9|-TERM|-s TERM] <pid>…``, PowerShell's
#: ``Stop-Process -Id <pid>``, ``taskkill /PID <pid> [/F]``.
_KILL = re.compile(
    r"^(?:kill(?: -(?:s \w+|\w+))* (?P<pids>\d+(?: \d+)*)"
    r"|(?i:stop-process)(?: -\w+)* -(?i:id) (?P<ps>\d+(?:,\s*\d+)*)(?: -\w+)*"
    r"|(?i:taskkill)(?: /\w+)* /(?i:pid) (?P<task>\d+)(?: /\w+)*)\s*$"
)
#: The gateway stopped or restarted by its supervisor or its own CLI
#: (openclaw-formats §1): ``systemctl restart openclaw-gateway``,
#: ``openclaw gateway restart``, ``launchctl kickstart -k …/ai.openclaw.gateway``,
#: ``pkill -f openclaw``, ``pm2 restart openclaw``, ``docker restart openclaw``,
#: PowerShell's ``Restart-Service``/``Stop-Service``, ``schtasks /End``.
_GATEWAY_DOWN = re.compile(
    r"^(?:systemctl (?:--user )?(?:restart|stop|kill|try-restart|reload-or-restart) .*openclaw"
    r"|openclaw (?:--\S+ (?:\S+ )?)*gateway (?:restart|stop)\b"
    r"|launchctl (?:kickstart -k|bootout|unload|stop|kill) .*openclaw"
    r"|(?:pkill|killall) .*(?:openclaw|node)"
    r"|pm2 (?:restart|stop|delete|reload) "
    r"|(?:docker(?: compose|-compose)?|podman) (?:restart|stop|kill|down)"
    r"|(?i:restart-service|stop-service) .*openclaw"
    r"|(?i:schtasks) /(?i:end) .*openclaw)",
    re.IGNORECASE,
)


def released_by(line: str) -> Release | None:
    """What a prompt line's command let go of (:class:`Release`), else None."""
    prompt = PROMPT.match(line.strip())
    if prompt is None:
        return None
    command = prompt["command"].strip()
    words = command.split()
    if words[:1] == ["sudo"]:
        words = words[1:]
        command = " ".join(words)
    if words[:1] == ["rm"]:
        files = frozenset(basename(w) for w in words[1:] if w.endswith(".lock"))
        return Release(files=files) if files else None
    if kill := _KILL.match(command):
        numbers = re.findall(r"\d+", kill["pids"] or kill["ps"] or kill["task"])
        return Release(pids=frozenset(int(n) for n in numbers))
    return Release(gateway=True) if _GATEWAY_DOWN.match(command) else None


def run_starts(lines: Sequence[str]) -> list[int]:
    """0-based indices of the lines that begin a run: a prompt, or a preamble line
    with no other preamble line right above it (blank lines between do not
    part them; a command's own stamp or banner stays in its run)."""
    starts: list[int] = []
    in_preamble = False
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if PROMPT.match(line.strip()) or BARE_PROMPT.match(line.strip()):
            starts.append(index)
            in_preamble = True
        elif preamble(line):
            if not in_preamble:
                starts.append(index)
            in_preamble = True
        else:
            in_preamble = False
    return starts


def run_stamps(lines: Sequence[str], starts: Sequence[int]) -> list[tuple[int, Stamp]]:
    """(0-based index of a run's first line, the stamp its preamble gives), for
    the runs (``starts``: :func:`run_starts`) whose preamble has one: the time
    its unstamped lines (the banner) were printed.  A run with none takes the
    stamp of a ``$ date`` run right before it, which printed nothing else
    (``$ date -u`` then ``$ openclaw doctor``)."""
    found: list[tuple[int, Stamp]] = []
    dated: Stamp | None = None  # the stamp a `$ date` run just before printed
    for start, end in itertools.pairwise([*starts, len(lines)]):
        prompt = PROMPT.match(lines[start].strip())
        is_date = prompt is not None and _DATE.match(prompt["command"]) is not None
        stamp: Stamp | None = None
        only_preamble = True
        for at, line in enumerate(lines[start:end], start=start):
            if line.strip() and not preamble(line):
                only_preamble = False
                break
            if (stamp := stamp_line(line)) is not None:
                # Output of its own after it: the command printed it (`sh -c
                # 'date -u; openclaw doctor'`, Z219), no next command's header.
                only_preamble = all(not x.strip() or preamble(x) for x in lines[at + 1 : end])
                break
        # A command that printed nothing but the next one's header (a
        # transcript's `****` / `Command start time:` block) is not dated by it:
        # that stamp is the next command's (Z200).
        ahead = stamp if prompt is not None and not is_date and only_preamble else None
        stamp = None if ahead is not None else stamp
        if (printed := stamp if stamp is not None else dated) is not None:
            found.append((start, printed))
        # A stamp that stands alone before a command dates it: a `$ date` run,
        # or a transcript's `Command start time:` block.
        dated = ahead or (stamp if (is_date or prompt is None) and only_preamble else None)
    return found
