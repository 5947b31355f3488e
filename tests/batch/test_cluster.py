"""The same run on a real Dask cluster (a LocalCluster of two worker processes) gives the same bytes as a local
run, through the library and through ``appraisal run --executor dask --scheduler ADDRESS``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.batch.processes import few_examples
from tests.batch.test_publish import published
from tests.builders import shipped

from appraisal.batch import ClusterError, DaskExecutor, ReportSettings, run
from appraisal.cli import main

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


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
