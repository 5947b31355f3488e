"""Worker processes die with their parent, and Ctrl-C ends a run with one line and exit status 130."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
from tests.batch.processes import alive, children, few_examples, interrupt, start, wait_for
from tests.builders import shipped

from appraisal.batch import run, verify
from appraisal.resources import examples

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


def test_kill_9_of_the_run_takes_its_workers_and_frees_the_callers_pipes(tmp_path: Path) -> None:
    process = start("run", examples(), "--out", tmp_path / "out", "--jobs", "2")
    wait_for(lambda: len(workers_of(process.pid)) == 2, what="two workers")
    time.sleep(0.5)  # the workers are rendering
    workers = children(process.pid)
    assert process.poll() is None  # still rendering: killed in the middle
    process.send_signal(signal.SIGKILL)
    started = time.monotonic()
    process.communicate(timeout=20)  # hangs while any child holds the pipes open
    assert time.monotonic() - started < 10
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10, what="the workers to end")


def workers_of(pid: int) -> list[int]:
    """The worker processes of the run ``pid``: its children but multiprocessing's resource tracker (which a run
    whose workers are spawned starts, and one whose workers are forked does not)."""
    found = []
    for child in children(pid):
        with contextlib.suppress(OSError):
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


@pytest.mark.parametrize(("jobs", "stop"), [("1", "ctrl-c"), ("2", "ctrl-c"), ("1", "sigterm"), ("2", "sigterm")])
def test_ctrl_c_exits_130_and_sigterm_143_with_one_line_and_the_last_run_kept(
    tmp_path: Path, jobs: str, stop: str
) -> None:
    """Ctrl-C (SIGINT to the process group) or ``kill PID`` (SIGTERM to the run alone) while reports render:
    one line, the earlier run whole, the workers gone, and nothing left in the temporary folder (weasyprint's
    fonts, 11 MB a process, are removed; a killed worker's are inside ``--out``, removed by the next run)."""
    out, inputs, tmp = tmp_path / "out", few_examples(tmp_path / "in"), tmp_path / "tmp"
    tmp.mkdir()
    run([inputs], out, shipped())
    process = start("run", inputs, "--out", out, "--jobs", jobs, new_session=True, tmp=tmp)
    lock = out / ".appraisal" / "lock"
    wait_for(lambda: f'"pid": {process.pid},' in lock.read_text(), what="the run to take the lock")
    wait_for(lambda: any((out / ".appraisal" / "cache" / "reports").glob("[!.]*")), what="a report")
    workers = children(process.pid)
    if stop == "ctrl-c":
        interrupt(process)
    else:
        process.terminate()
    stdout, stderr = process.communicate(timeout=30)
    word, code = ("interrupted", 130) if stop == "ctrl-c" else ("terminated", 143)
    assert process.returncode == code, stderr
    assert stderr.splitlines() == [f"{word}: nothing more was written; the output folder keeps its last whole run"]
    assert verify(out) == [] and not (out / "reports").exists()  # the earlier run, whole
    assert not list((out / ".appraisal" / "runs").glob("*.partial"))
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10, what="the workers to end")
    assert list(tmp.iterdir()) == []
    run([inputs], out, shipped())
    assert not (out / ".appraisal" / "tmp").exists()  # what killed workers left there, removed


def test_one_and_two_worker_processes_publish_the_same_bytes(tmp_path: Path) -> None:
    from tests.batch.test_publish import many_units, published

    from appraisal.batch.run import PARALLEL_FROM

    inputs = many_units(tmp_path / "in", 2)
    assert len(list(inputs.iterdir())) >= PARALLEL_FROM  # enough files for the workers to be used
    run([inputs], tmp_path / "one", shipped(), jobs=1)
    run([inputs], tmp_path / "two", shipped(), jobs=2)
    assert published(tmp_path / "two") == published(tmp_path / "one")


def test_a_link_out_of_the_folder_is_refused_by_the_workers_too(tmp_path: Path) -> None:
    """The listing's refused entries reach the workers with their reasons: a link leaving the input folder is
    reported, never read (a listing turned into strings once lost the refusal, and the workers parsed the file
    the link pointed to)."""
    from tests.batch.test_publish import many_units, published

    inputs = many_units(tmp_path / "in", 2)
    (tmp_path / "secret.json").write_text('{"password": "hunter2"}', encoding="utf-8")
    (inputs / "zz-outside.json").symlink_to(tmp_path / "secret.json")
    os.mkfifo(inputs / "zz-pipe.json")
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        result = run([inputs], out, shipped(), jobs=jobs)
        assert [line for error in result.appraisals.rejected for line in error.lines()] == [
            "zz-outside.json: a symbolic link to outside the folder: not followed",
            "zz-pipe.json: a named pipe (FIFO), not a file: not read",
        ]
        assert len(result.units) == len(list(inputs.iterdir())) - 2
        assert b"hunter2" not in published(out)["errors.json"]


# Run in a new process, as a script would: its workers forked (one thread) or spawned (another thread running).
_RUN = """
import signal, sys, threading
import appraisal
from appraisal.batch import run, workers
inputs, out, rubric, threaded = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: print("the parent's handler ran in a worker"))
if threaded == "yes":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
def held():  # a forked worker finds these functions in its copy of __main__; a spawned one has none
    return id(workers._worker_rubric)  # the parent's object, at the same address: not loaded again
def renderer():
    return "appraisal.reports.output" in sys.modules
def mapped():  # the bytes glibc maps apart for a 16 MB block: none under the tunables (mmap threshold 32 MB)
    import ctypes
    class Info(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks"
                    " uordblks fordblks keepcost".split()]
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype, libc.malloc.restype = Info, ctypes.c_void_p
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(16 << 20)
    after = libc.mallinfo2().hblkhd
    libc.free(ctypes.c_void_p(block))
    return after - before
method = workers.start_method()
rubric = appraisal.load_rubric(rubric)
with workers.workers(2, rubric, renders=True) as started:
    pool = started.executor()
    handlers = {pool.submit(signal.getsignal, s).result().name for s in (signal.SIGTERM, signal.SIGINT)}
    inherited = pool.submit(held).result() == id(rubric) if method == "fork" else True
    imported = pool.submit(renderer).result() if method == "fork" else True
    tuned = pool.submit(mapped).result() == 0 < mapped() if method == "fork" else True  # this process: untuned
run([inputs], out, rubric, jobs=2)
print(method, sorted(handlers), inherited, imported, tuned)
"""


@pytest.mark.parametrize(("threaded", "method"), [("no", "fork"), ("yes", "spawn")])
def test_workers_forked_from_a_single_thread_and_spawned_beside_others_publish_the_same_bytes(
    tmp_path: Path, threaded: str, method: str
) -> None:
    """A process of one thread forks its workers (they start with its rubric, and the report stack imported when
    they will render, set the malloc tunables it started without, and answer signals as a new process: SIGTERM
    kills them, SIGINT is ignored); one running another thread spawns them. Either way the run publishes
    the bytes of a serial run."""
    import subprocess
    import sys

    from tests.batch.test_publish import many_units, published

    inputs = many_units(tmp_path / "in", 2)
    run([inputs], tmp_path / "one", shipped(), jobs=1)
    done = subprocess.run(
        [sys.executable, "-c", _RUN, inputs, tmp_path / "two", shipped().path, threaded],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"},  # make test sets them
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{method} ['SIG_DFL', 'SIG_IGN'] True True True"]
    assert published(tmp_path / "two") == published(tmp_path / "one")


_CUT_OFF = """
import os, struct, sys, time
from pathlib import Path
from appraisal.batch import workers
begun = Path(sys.argv[1])
started = None
def cut_off():  # in a forked worker: the start of a result message on the pool's result pipe, never the rest
    writer = started._pool._result_queue._writer
    os.write(writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)
    begun.touch()
    time.sleep(60)
assert workers.start_method() == "fork"
with workers.workers(2, None) as started:
    started.executor().submit(cut_off)
    while not begun.exists():
        time.sleep(0.01)
    raise SystemExit(3)  # as an error or Ctrl-C does: the workers killed, this process ends
"""


def test_a_worker_killed_while_sending_a_result_does_not_keep_the_run_from_ending(tmp_path: Path) -> None:
    """A worker killed in the middle of a result left part of a message in the result pipe, whose writing end
    the run's process holds too: the pool's manager thread waited for the rest for ever, and the interpreter's
    exit for that thread (seen as a Ctrl-C that printed its line and never exited, under load)."""
    import subprocess
    import sys

    done = subprocess.run(  # it hung: the timeout fails the test (and kills the process)
        [sys.executable, "-c", _CUT_OFF, tmp_path / "begun"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 3, done.stderr


def test_reports_rendered_by_forked_workers_are_the_bytes_of_a_serial_run(tmp_path: Path) -> None:
    """The command line runs a single thread, so it forks its workers (a progress bar's monitor thread made it
    spawn them); the reports they render, the summary and the decision are byte for byte those of a run in one
    process."""
    from tests.batch.test_publish import published

    from appraisal.batch import ReportSettings

    inputs = few_examples(tmp_path / "in")
    run([inputs], tmp_path / "one", shipped(), jobs=1, reports=ReportSettings())
    process = start("run", inputs, "--out", tmp_path / "two", "--jobs", "2", "--rubric", shipped().path)
    wait_for(lambda: len(workers_of(process.pid)) == 2, what="two workers")
    started = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers_of(process.pid)]
    assert started == [Path(f"/proc/{process.pid}/cmdline").read_bytes()] * 2  # forked: no spawn_main
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    one, two = published(tmp_path / "one"), published(tmp_path / "two")
    assert sum(name.startswith("reports/") for name in two) == len(list(inputs.iterdir())) >= 8
    assert two == one
    # weasyprint's copies of the fonts (11 MB a worker) went with the workers: a forked worker ends with
    # os._exit, which skips the finalizer that removes them
    from appraisal.batch.publish import SCRATCH, STATE

    assert list((tmp_path / "two" / STATE / SCRATCH).iterdir()) == []
