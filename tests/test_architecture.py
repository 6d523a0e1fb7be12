"""The layering (README "What is where") is enforced by import-linter contracts in pyproject.toml,
run by ``make check``. These tests prove the contracts hold on the tree and that they bite: a
copy of the tree with one deliberate violation fails them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "tracker", "workspace", "commitments", "focalpoints")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layering_contracts_hold_on_the_tree(tree_copy):
    result = lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imports", "contract"),
    [
        # The domain may not reach up to a page (e.g. a model importing the public site).
        ("commitments/violation.py", "import tracker.links\n", "Layers"),
        # focalpoints knows nothing of commitments.
        ("focalpoints/violation.py", "from commitments import rules\n", "Layers"),
        # The two surfaces never import each other.
        ("workspace/violation.py", "from tracker import exports\n", "never import each other"),
    ],
)
def test_a_deliberate_violation_breaks_a_contract(tree_copy, module, imports, contract):
    (tree_copy / module).write_text(imports)
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line or contract in line]
    assert any(contract in line for line in broken), result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout
