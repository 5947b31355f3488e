"""Running ``appraisal`` as a real process, and watching its worker processes, for the batch tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

APPRAISAL = Path(sys.executable).parent / "appraisal"


def start(*args: str | Path, new_session: bool = False, tmp: Path | None = None) -> subprocess.Popen[str]:
    """``appraisal ARGS`` with its output piped, as a script or CI step would run it (with ``tmp`` as its
    temporary folder, when given). Ctrl-C is delivered as in a terminal even when the tests run in the
    background (a shell starts background jobs with SIGINT ignored, and an ignored SIGINT is inherited: the run
    would finish with 0 instead of 130)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **({"TMPDIR": str(tmp)} if tmp is not None else {})}
    return subprocess.Popen(
        [str(APPRAISAL), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=new_session,
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def interrupt(process: subprocess.Popen[str]) -> None:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group."""
    os.killpg(process.pid, signal.SIGINT)


def few_examples(
    folder: Path, per_type: int = 2, orgs: tuple[str, ...] = ("county", "township", "village", "community", "agency")
) -> Path:
    """The first ``per_type`` bundled examples of each of ``orgs`` (``county-01.json`` ...), in a new folder."""
    import shutil

    from appraisal.resources import examples

    folder.mkdir()
    for org in orgs:
        for path in sorted(examples().glob(f"{org}-*"))[:per_type]:
            shutil.copy(path, folder / path.name)
    return folder
