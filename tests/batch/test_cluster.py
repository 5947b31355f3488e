"""The same run on a real Dask cluster (a LocalCluster of two worker processes) gives the same bytes as a local
run, through the library and through ``appraisal run --executor dask --scheduler ADDRESS``."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.batch.processes import few_examples
from tests.batch.test_publish import many_units, published
from tests.builders import shipped
from tests.reports.report_pdfs import text

from appraisal import Scorecard, appraise, load_submission
from appraisal.batch import ClusterError, DaskExecutor, ReportSettings, current_run, run
from appraisal.batch.cache import Cache, light_entry, rubric_key
from appraisal.batch.cluster import fingerprint, score_entries
from appraisal.batch.score import score_file
from appraisal.cli import main
from appraisal.resources import examples
from appraisal.submission import loading

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)
batch_run = importlib.import_module("appraisal.batch.run")
cluster_module = importlib.import_module("appraisal.batch.cluster")  # the module (appraisal.batch.run is the function)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import distributed  # a dependency of the tests: missing, they fail rather than skip

    # the scheduler serves HTTP even without a dashboard, by default on 8787: a free port, so that two test
    # processes (or anything else holding 8787) do not make it warn, which fails the test
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0", silence_logs=50
    ) as local:
        yield local


def test_a_run_on_the_cluster_gives_the_bytes_of_a_local_run(tmp_path: Path, cluster: Any) -> None:
    inputs = few_examples(tmp_path / "in", 1, ("county", "village", "agency"))
    (inputs / "broken.json").write_text("{", encoding="utf-8")
    local, remote = tmp_path / "local", tmp_path / "remote"
    run([inputs], local, shipped(), reports=ReportSettings(lang="zh"))
    from distributed import Client

    with Client(cluster) as client:
        executor = DaskExecutor(client=client)
        result = run([inputs], remote, shipped(), reports=ReportSettings(lang="zh"), cluster=executor)
        workers = client.run(lambda: __import__("os").getpid())
    assert len(workers) == 2
    assert [e.source for e in result.rejected] == ["broken.json"]
    assert published(remote) == published(local)


def test_the_cluster_renders_the_editable_copies_too(tmp_path: Path, cluster: Any) -> None:
    inputs = few_examples(tmp_path / "in", 1, ("county", "village"))
    local, remote = tmp_path / "local", tmp_path / "remote"
    settings = ReportSettings(formats="both")
    run([inputs], local, shipped(), reports=settings)
    from distributed import Client

    with Client(cluster) as client:
        run([inputs], remote, shipped(), reports=settings, cluster=DaskExecutor(client=client))
    files = published(remote)
    assert {"reports/county-01.docx", "reports/county-01.pdf", "summary.docx"} <= set(files)
    assert files == published(local)


def test_the_command_runs_on_the_cluster_at_the_scheduler_given(tmp_path: Path, cluster: Any) -> None:
    inputs = few_examples(tmp_path / "in", 1, ("county", "village"))
    local, remote = tmp_path / "local", tmp_path / "remote"
    run([inputs], local, shipped())
    args = ["run", str(inputs), "--out", str(remote), "--no-reports", "--executor", "dask"]
    result = CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert published(remote) == published(local)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--executor dask needs --scheduler ADDRESS" in result.output
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)


def test_a_run_without_reports_streams_on_the_cluster_with_the_bytes_of_a_local_run(
    tmp_path: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client keeps standings only (each file's scorecards come back as its cache entry), in chunks of a
    few files; a re-run takes the unchanged files from the client's cache and sends the changed one."""
    inputs = many_units(tmp_path / "in", 2)
    (inputs / "broken.json").write_text("{", encoding="utf-8")
    twice = json.loads((inputs / "county-01-000.json").read_text(encoding="utf-8"))
    (inputs / "zz-twice.json").write_text(json.dumps(twice, ensure_ascii=False), encoding="utf-8")
    local, remote = tmp_path / "local", tmp_path / "remote"
    monkeypatch.setattr(batch_run, "CHUNK", 3)  # several chunks, a few in flight
    from distributed import Client

    with Client(cluster) as client:
        for changed in (False, True):
            if changed:  # one input changed: a miss among hits
                path = inputs / "agency-01-001.json"
                data = json.loads(path.read_text(encoding="utf-8"))
                path.write_text(json.dumps({**data, "name": data["name"] + " (new)"}, ensure_ascii=False), "utf-8")
            expected = run([inputs], local)
            result = run([inputs], remote, cluster=DaskExecutor(client=client))
            assert result.standings is not None  # streamed: no scorecard held
            assert [e.source for e in result.rejected] == ["broken.json", "zz-twice.json"]
            assert result.units == expected.units
            assert published(remote) == published(local)


def test_a_run_with_reports_streams_on_the_cluster_with_last_years_scorecards(tmp_path: Path, cluster: Any) -> None:
    """The workers render from the final scorecards' bytes and last year's scorecards read by the client (the
    workers need not see that folder); the client holds standings only; the bytes are a local run's."""
    inputs = few_examples(tmp_path / "in", 1, ("county", "village"))
    first = tmp_path / "first"
    run([inputs], first, shipped())
    last_year = tmp_path / "last" / "scorecards"
    last_year.mkdir(parents=True)
    card = json.loads((current_run(first) / "scorecards" / "county-01.json").read_text(encoding="utf-8"))
    card.update(year=2025, total=80.5)
    (last_year / "county-01.json").write_text(json.dumps(card), encoding="utf-8")
    settings = ReportSettings(previous_dir=last_year.parent)
    local, remote = tmp_path / "local", tmp_path / "remote"
    run([inputs], local, shipped(), jobs=2, reports=settings)
    from distributed import Client

    with Client(cluster) as client:
        result = run([inputs], remote, shipped(), reports=settings, cluster=DaskExecutor(client=client))
    assert result.standings is not None  # streamed: no scorecard held
    files = published(remote)
    assert files == published(local)
    assert "last year 80.5" in text(files["reports/county-01.pdf"])


def test_the_cluster_is_sent_a_few_chunks_of_reports_at_a_time(cluster: Any) -> None:
    """``DaskExecutor.render`` draws its chunks as the cluster returns them: the client never holds them all."""
    card = appraise(load_submission(examples() / "county-01.json"), shipped())
    drawn: list[int] = []

    def chunks() -> Iterator[list[tuple[bytes, Scorecard | None]]]:
        for at in range(6):
            drawn.append(at)
            yield [(card.to_json().encode("utf-8"), None)]

    from distributed import Client

    with Client(cluster) as client:
        made = DaskExecutor(client=client).render(chunks(), None, None, shipped(), ahead=2)
        first = next(made)
        assert len(drawn) <= 3  # two in flight, the next one drawn as the first came back
        rest = list(made)
    assert len(drawn) == 6 and len(rest) == 5
    assert all(done[0]["pdf"].startswith(b"%PDF-") for done in [first, *rest])


def test_the_client_computes_each_files_cache_key_once(
    tmp_path: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client looks each file up in its cache and, for a miss, stores what the cluster sends back under the
    key it looked up with: one key a file, on a first run (all misses) as on a re-run (all hits)."""
    inputs = many_units(tmp_path / "in", 1)
    files = len(list(inputs.iterdir()))
    keys: list[str] = []
    real = Cache.file_key

    def counted(self: Cache, name: str, data: bytes) -> str:
        keys.append(name)
        return real(self, name, data)

    monkeypatch.setattr(Cache, "file_key", counted)
    from distributed import Client

    with Client(cluster) as client:
        for _ in range(2):
            keys.clear()
            run([inputs], tmp_path / "out", cluster=DaskExecutor(client=client))
            assert sorted(keys) == sorted(p.name for p in inputs.iterdir()) and len(keys) == files


def test_a_cluster_worker_finds_the_bundled_years_once_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker holds no cache: given no rubric it finds the bundled years once for the chunk it is sent (not for
    each unit), and its entries are those of each file scored on its own."""
    chunk = [(p.name, ".json", p.read_bytes()) for p in sorted(examples().glob("*.json"))]
    alone = [light_entry(score_file(Path("file.json"), name, None, None, data)) for name, _, data in chunk]
    found: list[object] = []
    real = loading.bundled_years

    def counted() -> object:
        found.append(None)
        return real()

    monkeypatch.setattr(loading, "bundled_years", counted)
    made = score_entries(chunk, None)
    assert len(found) == 1 and len(chunk) > 10
    assert [entry for _, entry in made] == [entry for _, entry in alone]


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("bogus://x", "not a Dask scheduler's address: bogus://x: unknown address scheme 'bogus'"),
        ("notanaddress", "not a Dask scheduler's address: notanaddress: missing port number"),
    ],
)
def test_an_address_that_is_none_is_one_line_at_once(tmp_path: Path, address: str, said: str) -> None:
    """Refused before a Client is made (one made on such an address is a traceback, and waits 40 s as it goes)."""
    started = time.monotonic()
    result = CliRunner().invoke(
        main,
        ["run", str(examples() / "county-01.json"), "--out", str(tmp_path / "o"), "--no-reports"]
        + ["--executor", "dask", "--scheduler", address],
    )
    assert result.exit_code == 2 and len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith(f"error: {said}")
    assert result.output.endswith("; the output folder keeps its last whole run\n")
    assert time.monotonic() - started < 10
    result = CliRunner().invoke(
        main,
        ["run", str(examples() / "county-01.json"), "--out", str(tmp_path / "o"), "--no-reports", "--lang"]
        + ["zh", "--executor", "dask", "--scheduler", address],
    )
    assert result.output.startswith(f"错误：{said}") and result.output.endswith(
        "；输出文件夹保留上一次完整运行的结果\n"
    )


def test_a_server_that_is_not_a_scheduler_is_refused_instead_of_waited_on_for_ever() -> None:
    """Dask's connect waits without a timeout for the handshake a scheduler sends first; a server that says
    nothing (the scheduler's HTTP dashboard, on the port next to it) made ``Client`` wait for ever."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections complete in its backlog, unanswered
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ClusterError) as raised:
            DaskExecutor(address, timeout=1.0)
        assert time.monotonic() - started < 10
    assert str(raised.value) == (
        f"not a Dask scheduler at {address}: the server there said nothing in 1 s (a scheduler listens on :8786"
        " by default; :8787 is its dashboard)"
    )


@pytest.mark.parametrize("reports", [False, True])
def test_workers_running_another_version_are_refused_and_nothing_of_theirs_is_kept(
    tmp_path: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch, reports: bool
) -> None:
    """The client sends what its results depend on (appraisal's version, the rubric, for reports the templates and
    renderers) with each task; workers that differ refuse it: the run fails in one line, its folder keeps the
    last whole run, and its cache gets no entry of theirs (a local re-run scores everything itself)."""
    inputs = few_examples(tmp_path / "in", 1, ("county", "village"))
    out = tmp_path / "out"
    run([inputs], out, shipped(), reports=ReportSettings() if reports else None)
    before = published(out)
    (inputs / "county-01.json").write_text(
        (inputs / "county-01.json").read_text(encoding="utf-8").replace('"name": "', '"name": "New '), "utf-8"
    )
    monkeypatch.setattr(cluster_module, "__version__", "0.0.1")  # this client: another version than its workers
    from distributed import Client

    with Client(cluster) as client, pytest.raises(ClusterError) as caught:
        run(
            [inputs], out, shipped(), reports=ReportSettings() if reports else None, cluster=DaskExecutor(client=client)
        )
    assert "runs other code or rubrics than this client (appraisal " in str(caught.value)
    assert "the client's 0.0.1" in str(caught.value) and "\n" not in str(caught.value)
    assert published(out) == before
    entries = out / ".appraisal" / "cache" / "files"
    kept = {p.name for p in entries.iterdir()}
    monkeypatch.undo()
    run([inputs], out, shipped(), reports=ReportSettings() if reports else None)
    assert {p.name for p in entries.iterdir()} - kept  # the changed file, scored here: no worker's entry was kept


def test_a_worker_checks_the_clients_fingerprint_before_it_scores() -> None:
    chunk = [("county-01.json", ".json", (examples() / "county-01.json").read_bytes())]
    own = fingerprint(rubric_key(shipped()), reports=False)
    assert score_entries(chunk, shipped(), own)[0][1] == score_entries(chunk, shipped())[0][1]
    with pytest.raises(ClusterError, match=r"a Dask worker runs other code or rubrics than this client \(rubric "):
        score_entries(chunk, shipped(), {**own, "rubric": "0" * 64})
    with pytest.raises(ClusterError, match=r"a Dask worker runs other code or rubrics than this client \(code "):
        score_entries(chunk, shipped(), {**own, "code": "0" * 64})  # the same version, other code


def test_a_cluster_with_no_worker_is_an_error_once_it_has_had_none_for_the_wait(tmp_path: Path) -> None:
    """No worker started (or each one gone): the run does not wait for ever, it says so and keeps its folder."""
    import distributed

    inputs = few_examples(tmp_path / "in", 1, ("county",))
    with (
        distributed.LocalCluster(n_workers=0, dashboard_address="127.0.0.1:0", silence_logs=50) as empty,
        distributed.Client(empty) as client,
    ):
        for rubric in (shipped(), None):  # a rubric sent to every worker first, or each unit's own year's
            started = time.monotonic()
            with pytest.raises(ClusterError, match=r"^the Dask cluster at tcp://\S+ has had no worker for 1 s: st"):
                run([inputs], tmp_path / "out", rubric, cluster=DaskExecutor(client=client, wait_for_workers=1))
            assert time.monotonic() - started < 15
    assert current_run(tmp_path / "out") is None


def test_a_rubric_whose_every_copy_is_lost_is_sent_again(tmp_path: Path, cluster: Any) -> None:
    """The rubric given goes to the cluster once a ``DaskExecutor``; every worker restarted (its copies lost),
    the next run still has it (Dask makes it again from its task) and gives a local run's bytes."""
    inputs = few_examples(tmp_path / "in", 1, ("county", "village"))
    run([inputs], tmp_path / "local", shipped())
    from distributed import Client

    with Client(cluster) as client:
        executor = DaskExecutor(client=client)
        run([inputs], tmp_path / "first", shipped(), cluster=executor)
        client.restart_workers(list(client.scheduler_info(n_workers=-1)["workers"]))
        run([inputs], tmp_path / "again", shipped(), cluster=executor)
    assert published(tmp_path / "again") == published(tmp_path / "local")


def test_the_command_leaves_dasks_own_error_records_out(tmp_path: Path, cluster: Any) -> None:
    """``run --executor dask`` reports a lost scheduler in its one line: while it runs, Dask's loggers (configured
    on import, ``distributed.client`` at its own level) keep only their critical records; after, their levels
    are as they were (a program calling the command goes on as before)."""
    import logging

    from appraisal.cli import _quiet, _restore

    names = ["distributed", "distributed.client", "distributed.batched", "tornado.application"]
    before = {name: logging.getLogger(name).level for name in names}
    assert logging.getLogger("distributed.client").isEnabledFor(logging.ERROR)
    levels = _quiet("distributed", "tornado")
    try:
        assert not any(logging.getLogger(name).isEnabledFor(logging.ERROR) for name in names)
        assert logging.getLogger("appraisal").isEnabledFor(logging.ERROR)
    finally:
        _restore(levels)
    assert {name: logging.getLogger(name).level for name in names} == before
    inputs = few_examples(tmp_path / "in", 1, ("county",))
    args = ["run", str(inputs), "--out", str(tmp_path / "o"), "--no-reports", "--executor", "dask"]
    assert CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address]).exit_code == 0
    assert {name: logging.getLogger(name).level for name in names} == before
