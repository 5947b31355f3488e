"""The same run on a real Dask cluster (a LocalCluster of two worker processes) gives the same bytes as a local
run, through the library and through ``appraisal run --executor dask --scheduler ADDRESS``."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.batch.processes import few_examples
from tests.batch.test_publish import many_units, published
from tests.builders import shipped

from appraisal.batch import ClusterError, DaskExecutor, ReportSettings, run
from appraisal.cli import main

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)
batch_run = importlib.import_module("appraisal.batch.run")  # the module (appraisal.batch.run is the function)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import distributed  # a dependency of the tests: missing, they fail rather than skip

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
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
