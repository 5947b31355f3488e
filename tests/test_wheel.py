"""The built wheel carries the default rubric, the templates, fonts and the examples: installed into a fresh venv
and run from another folder, with no checkout around it, it scores the bundled examples and renders reports.

The fresh venv sees this venv's installed dependencies (a path entry after its own site-packages) rather than
installing them all again: the wheel alone is installed into it, so what is tested is the wheel's own files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_CONSTRAINT"] = str(ROOT / "constraints.txt")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")  # one test uses it: under pytest -n 2 a second would build it again
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", work / "dist", ROOT, cwd=work)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (work / "dist").glob("appraisal-*.whl")
    venv.create(work / "venv", with_pip=False)
    python = work / "venv" / "bin" / "python"
    (site,) = (work / "venv" / "lib").glob("python3.*/site-packages")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # not its .pth files
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    return work


def test_wheel_scores_the_examples_without_a_checkout(installed: Path) -> None:
    elsewhere = installed / "elsewhere"
    elsewhere.mkdir()
    appraisal = installed / "venv" / "bin" / "appraisal"
    result = run(appraisal, "demo", "--out", "demo", "--jobs", "2", "--no-reports", cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    cards = sorted((elsewhere / "demo" / "scorecards").glob("*.json"))
    assert len(cards) >= 40
    card = json.loads(cards[0].read_text(encoding="utf-8"))
    assert card["rubric"]["id"] == "womens-federation-appraisal"
    # a few reports, in Chinese, from the wheel's templates and fonts (tests/cli/test_demo.py renders them all)
    few = [elsewhere / "demo" / "submissions" / name for name in ("county-01.json", "village-001.yaml")]
    result = run(appraisal, "run", *few, "--out", "few", "--lang", "zh", cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (elsewhere / "few" / "reports").iterdir()) == ["county-01.pdf", "village-001.pdf"]
    assert (elsewhere / "few" / "summary.pdf").stat().st_size > 10_000
    where = run(
        installed / "venv" / "bin" / "python",
        "-c",
        "import appraisal, appraisal.resources as r; print(appraisal.__file__); print(r.bundled('scoring_rules'))",
        cwd=elsewhere,
    )
    package, rules = where.stdout.splitlines()
    assert Path(package).is_relative_to(installed / "venv"), where.stdout + where.stderr  # the wheel's, not src/
    assert Path(rules).is_relative_to(installed / "venv") and rules.endswith("appraisal/_bundled/scoring_rules")
    # developers who import appraisal into a larger system get its type hints (PEP 561)
    (typed,) = (installed / "venv" / "lib").glob("python3.*/site-packages/appraisal/py.typed")
    assert typed.is_file()
