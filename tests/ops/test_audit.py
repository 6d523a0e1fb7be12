"""`make check`'s dependency audit (ops/audit.py) fails on a known vulnerability in a pin, and
never calls a package it could not check clean. Proven with a deliberately vulnerable pin
(Django 4.2.0, whose advisories are real: PYSEC-2023-61 is CVE-2023-31047) in the two reports
the script reads: pip-audit's JSON (full audit on OSV) and PyPI's project document (the
partial audit this sandbox can reach)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ops_audit", ROOT / "ops" / "audit.py")
audit = importlib.util.module_from_spec(spec)
sys.modules["ops_audit"] = audit  # dataclasses look their module up there
spec.loader.exec_module(audit)

VULNERABLE_PIN = "django==4.2.0 \\\n    --hash=sha256:" + "ad33" * 16 + "\n"


def test_pins_are_read_from_hashed_lock_files(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# comment\n" + VULNERABLE_PIN + "Django_Filter==26.2 \\\n    --hash=sha256:x\n"
    )
    assert audit.pins([lock]) == {"django": "4.2.0", "django-filter": "26.2"}


def test_full_audit_fails_on_a_vulnerability_reported_by_pip_audit():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "4.2.0",
                "vulns": [{"id": "PYSEC-2023-61", "fix_versions": ["4.2.1"]}],
            },
            {"name": "whitenoise", "version": "6.12.0", "vulns": []},
        ]
    }
    findings = audit.findings_from_pip_audit(report)
    assert findings == [audit.Finding("django", "4.2.0", "PYSEC-2023-61", "4.2.1")]


def test_full_audit_fails_on_a_dependency_pip_audit_skipped():
    """pip-audit itself exits 0 when it skips a package; we count that as a failure."""
    report = {"dependencies": [{"name": "django", "version": "4.2.0", "skip_reason": "not found"}]}
    assert audit.findings_from_pip_audit(report)[0].what == "skipped: not found"


def project(latest: str, vulnerabilities=(), yanked=()):
    releases = {
        version: [{"yanked": version in yanked, "yanked_reason": "CVE fix pulled"}]
        for version in ("4.2.0", "4.2.1", latest)
    }
    return {
        "info": {"version": latest},
        "releases": releases,
        "vulnerabilities": list(vulnerabilities),
    }


ADVISORY = {"id": "PYSEC-2023-61", "fixed_in": ["4.2.1"], "withdrawn": None}


def test_partial_audit_fails_on_an_advisory_against_a_pin_on_the_latest_release():
    findings, unaudited = audit.partial_audit(
        {"django": "4.2.0"}, fetch=lambda name: project("4.2.0", [ADVISORY])
    )
    assert [f.what for f in findings] == ["PYSEC-2023-61"]
    assert unaudited == []


def test_partial_audit_fails_on_a_yanked_pin_and_names_what_it_cannot_judge():
    findings, unaudited = audit.partial_audit(
        {"django": "4.2.0"}, fetch=lambda name: project("5.2.19", yanked={"4.2.0"})
    )
    assert [f.what for f in findings] == ["yanked: CVE fix pulled"]
    assert unaudited == ["django==4.2.0"]


def test_withdrawn_advisories_do_not_fail():
    withdrawn = {**ADVISORY, "withdrawn": "2024-01-01T00:00:00Z"}
    findings, _ = audit.partial_audit(
        {"django": "4.2.0"}, fetch=lambda name: project("4.2.0", [withdrawn])
    )
    assert findings == []


def test_an_unreachable_registry_is_a_finding_not_a_pass():
    def unreachable(name):
        raise OSError("no route")

    findings, _ = audit.partial_audit({"django": "4.2.0"}, fetch=unreachable)
    assert findings[0].what.startswith("skipped: PyPI unreachable")


@pytest.mark.parametrize("full", [True, False])
def test_the_script_exits_non_zero_on_the_vulnerable_pin(tmp_path, monkeypatch, capsys, full):
    lock = tmp_path / "requirements.lock"
    lock.write_text(VULNERABLE_PIN)
    monkeypatch.setattr(audit, "osv_reachable", lambda: full)
    monkeypatch.setattr(
        audit,
        "full_audit",
        lambda files: [audit.Finding("django", "4.2.0", "PYSEC-2023-61", "4.2.1")],
    )
    monkeypatch.setattr(audit, "fetch_project", lambda name: project("4.2.0", [ADVISORY]))
    assert audit.main([str(lock)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "django==4.2.0: PYSEC-2023-61 (fixed in 4.2.1)" in out


def test_a_missing_database_fails_where_a_full_audit_is_required(tmp_path, monkeypatch):
    lock = tmp_path / "requirements.lock"
    lock.write_text("whitenoise==6.12.0\n")
    monkeypatch.setattr(audit, "osv_reachable", lambda: False)
    monkeypatch.setenv("AUDIT_REQUIRE_FULL", "1")
    assert audit.main([str(lock)]) == 1
