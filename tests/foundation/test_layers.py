"""The layers of DESIGN.md hold: import-linter's layers contract (pyproject.toml) finds no import
running upward, function-level imports included. `make lint` and `make test` run the same check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own venv's command, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_no_import_runs_upward() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_function_level_import_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of the project where common/ imports clients inside a function."""
    for name in ("pyproject.toml", "manage.py"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    for package in (
        "billing_portal",
        "pages",
        "reports",
        "imports",
        "nightly",
        "services",
        "coverage",
        "diagnosis",
        "clients",
        "accounts",
        "common",
    ):
        for source in (ROOT / package).rglob("*.py"):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    scope = tmp_path / "common" / "scope.py"
    scope.write_text(
        scope.read_text() + "\n\ndef _upward() -> None:\n    from clients.models import Client  # noqa: F401\n"
    )

    result = _lint_imports(cwd=tmp_path)

    assert result.returncode != 0
    assert "common is not allowed to import clients" in result.stdout
    assert "common.scope -> clients.models" in result.stdout
