#!/usr/bin/env python3
"""Audit the pinned dependencies (requirements*.lock) for known vulnerabilities.

`make check` runs this. It fails (exit 1) on any known vulnerability in a pinned package, and
it never reports "clean" for a package it could not check:

1. **Full audit** (any machine that reaches the OSV database, the one pip-audit uses by
   default): ``pip-audit`` on the lock files, hashes required, no resolution. Any
   vulnerability fails, and so does any package pip-audit skipped (pip-audit itself would
   pass with a skipped package — we do not).
2. **Partial audit** (no route to OSV, as in this project's sandboxed CI, which reaches only
   package registries): PyPI's JSON API is the one vulnerability source reachable. For each
   package its project document lists the advisories that affect the *latest* release, and
   which files of each release are yanked. A pin on the latest release is checked against
   those advisories; a yanked pin fails; a pin older than the latest cannot be judged from
   there and is listed by name as NOT AUDITED. ``AUDIT_REQUIRE_FULL=1`` turns the missing
   database into a failure (set it wherever OSV is reachable, so a network fault never passes
   silently).

Usage: ``python ops/audit.py requirements.lock requirements-dev.lock``
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

OSV_PROBE = "https://api.osv.dev/v1/query"
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
TIMEOUT = 15


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    what: str  # an advisory id, or "yanked: reason", or "skipped: reason"
    fix: str = ""

    def line(self) -> str:
        fix = f" (fixed in {self.fix})" if self.fix else ""
        return f"  {self.package}=={self.version}: {self.what}{fix}"


def pins(lock_files: list[Path]) -> dict[str, str]:
    """{normalised name: version} of every ``name==version`` line of the lock files."""
    found: dict[str, str] = {}
    for path in lock_files:
        for line in path.read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                found[normalise(match.group(1))] = match.group(2)
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- 1. Full audit: pip-audit on OSV ----------------------------------------------------------


def osv_reachable() -> bool:
    body = json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "0"}).encode()
    request = urllib.request.Request(
        OSV_PROBE, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def findings_from_pip_audit(report: dict) -> list[Finding]:
    """Every vulnerability, and every dependency pip-audit could not audit, in its JSON."""
    findings = []
    for dependency in report.get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if dependency.get("skip_reason"):
            findings.append(Finding(name, version, f"skipped: {dependency['skip_reason']}"))
        for vuln in dependency.get("vulns", []):
            fix = ", ".join(vuln.get("fix_versions", []))
            findings.append(Finding(name, version, vuln.get("id", "?"), fix))
    return findings


def full_audit(lock_files: list[Path]) -> list[Finding]:
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps"]
    command += ["--require-hashes", "--progress-spinner", "off", "--format", "json"]
    command += ["--vulnerability-service", "osv"]
    for path in lock_files:
        command += ["-r", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit("pip-audit did not produce a report") from None
    return findings_from_pip_audit(report)


# --- 2. Partial audit: PyPI's project documents -----------------------------------------------


def findings_from_pypi_project(name: str, version: str, project: dict) -> tuple[list, bool]:
    """(findings, audited) for one pin, from PyPI's ``/pypi/<name>/json`` document."""
    findings = []
    files = project.get("releases", {}).get(version, [])
    if files and all(f.get("yanked") for f in files):
        reason = files[0].get("yanked_reason") or "no reason given"
        findings.append(Finding(name, version, f"yanked: {reason}"))
    latest = project.get("info", {}).get("version")
    if latest != version:
        return findings, False
    for vuln in project.get("vulnerabilities", []):
        if vuln.get("withdrawn"):
            continue
        fix = ", ".join(vuln.get("fixed_in", []))
        findings.append(Finding(name, version, vuln.get("id", "?"), fix))
    return findings, True


CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "r2p-audit"
CACHE_SECONDS = 6 * 3600  # advisories change daily at most; spare the registry repeated asks


def fetch_project(name: str) -> dict:
    """PyPI's project document, cached on disk for a few hours."""
    cached = CACHE_DIR / f"{name}.json"
    if cached.exists() and time.time() - cached.stat().st_mtime < CACHE_SECONDS:
        return json.loads(cached.read_text())
    url = PYPI_PROJECT.format(name=name)
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310
        project = json.load(response)
    keep = {k: project.get(k) for k in ("info", "releases", "vulnerabilities")}
    keep["info"] = {"version": project.get("info", {}).get("version")}
    keep["releases"] = {
        v: [{"yanked": f.get("yanked"), "yanked_reason": f.get("yanked_reason")} for f in files]
        for v, files in project.get("releases", {}).items()
    }
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(keep))
    return keep


def partial_audit(pinned: dict[str, str], fetch=None) -> tuple[list, list]:
    fetch = fetch or fetch_project
    findings, unaudited = [], []
    names = sorted(pinned)
    with ThreadPoolExecutor(max_workers=8) as pool:
        documents = dict(zip(names, pool.map(lambda n: _fetched(fetch, n), names), strict=True))
    for name in names:
        version, project = pinned[name], documents[name]
        if isinstance(project, Exception):
            findings.append(Finding(name, version, f"skipped: PyPI unreachable ({project})"))
            continue
        found, audited = findings_from_pypi_project(name, version, project)
        findings += found
        if not audited:
            unaudited.append(f"{name}=={version}")
    return findings, unaudited


def _fetched(fetch, name: str):
    try:
        return fetch(name)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return exc


def main(argv: list[str]) -> int:
    lock_files = [Path(a) for a in argv] or [
        Path("requirements.lock"),
        Path("requirements-dev.lock"),
    ]
    pinned = pins(lock_files)
    print(f"Auditing {len(pinned)} pinned packages in {', '.join(map(str, lock_files))}")
    if osv_reachable():
        findings = full_audit(lock_files)
        print("Full audit against the OSV database (pip-audit).")
        unaudited: list[str] = []
    elif os.environ.get("AUDIT_REQUIRE_FULL") == "1":
        print("FAIL: the OSV vulnerability database is unreachable and AUDIT_REQUIRE_FULL=1.")
        return 1
    else:
        findings, unaudited = partial_audit(pinned)
        checked = len(pinned) - len(unaudited)
        print(
            "PARTIAL AUDIT: the OSV database is unreachable from here; PyPI's advisories "
            f"checked {checked} pins (those on their latest release) and yanked releases."
        )
    if unaudited:
        print(
            f"NOT AUDITED ({len(unaudited)}, older than their latest release, so PyPI's "
            "advisories do not say): " + ", ".join(unaudited)
        )
    if findings:
        print(f"FAIL: {len(findings)} known problem(s) in pinned dependencies:")
        print("\n".join(f.line() for f in findings))
        return 1
    print("No known vulnerability in the audited pins.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
