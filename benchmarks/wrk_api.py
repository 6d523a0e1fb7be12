"""``make bench-api``: the API's 100-row pages against the data limit and against Datasette,
under the same gunicorn settings, measured side by side with wrk (issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_bench .venv/bin/python \\
        benchmarks/wrk_api.py [--rounds 5] [--duration 8]

Servers (each gunicorn, 2 workers, on 127.0.0.1, started and stopped here):

- ``hello``: a WSGI callable answering a constant (the floor of gunicorn + wrk);
- ``bare``: one SQL statement for the same 100 rows (same columns, related keys, evidence) and
  orjson, no framework (benchmarks/bench_apps.py) — the data limit;
- ``datasette`` (and ``datasette-nocount``, its ``_nocount=1`` fast path): Datasette serving a
  SQLite export of the same rows (built here once per data set, immutable), uvicorn workers;
- ``project``: the API as deployed (``APP_ENV=production``, DEBUG off, every middleware),
  rate limits off (benchmarks/bench_settings.py), cursor pages of 100.

Each request asks for a page starting at one of 50 keys spread over the whole table (the
same keys for every server). wrk: 2 threads, 16 connections, ``--duration`` seconds per server
per resource, five interleaved rounds (the order rotates every round); the ratios are taken
within a round, so they compare servers under the same machine load. The load average is
recorded with every round. Needs wrk (installed with apt-get if missing) and the bench venv
``.venv-bench`` (datasette, gunicorn, orjson, psycopg; created with pip if missing).
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from bench_environment import PROJECT_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".venv-bench"
BENCH_PACKAGES = [
    "datasette",
    "gunicorn==27.0.1",
    "orjson",
    "psycopg[binary]==3.3.9",
    "uvicorn-worker",
]
WORK = ROOT / "var" / "bench"
RESOURCES = ("commitments", "progress-updates")
PORTS = {"hello": 8101, "bare": 8102, "datasette": 8103, "project": 8104}
GUNICORN = ["--workers", "2", "--bind", "127.0.0.1:{port}", "--log-level", "warning"]


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def ensure_tools() -> None:
    if not shutil.which("wrk"):
        print("installing wrk (apt-get)…", flush=True)
        sh("apt-get", "install", "-y", "-q", "wrk", stdout=subprocess.DEVNULL)
    if not (BENCH_VENV / ".ready").exists():
        print(f"creating {BENCH_VENV.name} ({', '.join(BENCH_PACKAGES)})…", flush=True)
        sh(sys.executable, "-m", "venv", str(BENCH_VENV))
        sh(str(BENCH_VENV / "bin" / "pip"), "install", "-q", *BENCH_PACKAGES)
        (BENCH_VENV / ".ready").touch()


def table_keys(database_url: str) -> dict[str, list[int]]:
    """50 starting keys per resource, spread evenly over the table."""
    import psycopg

    tables = {
        "commitments": "commitments_commitment",
        "progress-updates": "commitments_progressupdate",
    }
    keys = {}
    with psycopg.connect(database_url) as connection:
        for resource, table in tables.items():
            low, high, count = connection.execute(
                f"SELECT min(id), max(id), count(*) FROM {table}"  # noqa: S608 - constants
            ).fetchone()
            step = max((high - low - 100) // 50, 1)
            keys[resource] = [low - 1 + step * n for n in range(50)]
            keys[resource + ":count"] = count
    return keys


def cursor(key: int) -> str:
    """The project's cursor for "rows after this key" (tracker/api/pagination.py's format)."""
    raw = json.dumps({"o": ["id"], "v": [key]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def paths(server: str, resource: str, keys: list[int], sqlite_name: str) -> list[str]:
    table = resource.replace("-", "_")
    if server == "hello":
        return ["/"]
    if server == "bare":
        return [f"/{resource}?after={k}&size=100" for k in keys]
    if server.startswith("datasette"):
        # Rows only, as an API client asks: no facets or facet suggestions (Datasette's JSON
        # otherwise runs a query per column). The default still counts the filtered rows.
        extra = "&_nofacet=1&_nosuggest=1"
        extra += "&_nocount=1" if server == "datasette-nocount" else ""
        return [
            f"/{sqlite_name}/{table}.json?_shape=objects&_size=100&id__gt={k}{extra}" for k in keys
        ]
    return [f"/api/v1/{resource}/?page_size=100&cursor={cursor(k)}" for k in keys]


def lua(path_list: list[str], file: Path) -> Path:
    quoted = ", ".join(json.dumps(p) for p in path_list)
    file.write_text(
        f"local paths = {{{quoted}}}\n"
        "local i = math.random(#paths)\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )
    return file


def start_servers(database_url: str, sqlite_path: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT / "benchmarks")}
    bench_gunicorn = str(BENCH_VENV / "bin" / "gunicorn")
    project_env = {**os.environ, "DATABASE_URL": database_url, **PROJECT_ENVIRONMENT}
    log = open(WORK / "servers.log", "ab")  # noqa: SIM115 - kept open while they run
    commands = [
        ([bench_gunicorn, *_bind("hello"), "bench_apps:hello"], env),
        ([bench_gunicorn, *_bind("bare"), "bench_apps:bare"], env),
        (
            [
                bench_gunicorn,
                *_bind("datasette"),
                "-k",
                "uvicorn_worker.UvicornWorker",
                "bench_datasette:app",
            ],
            {**env, "BENCH_SQLITE": str(sqlite_path)},
        ),
        (
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                *_bind("project"),
                "config.wsgi:application",
            ],
            project_env,
        ),
    ]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        for command, environment in commands
    ]
    return processes


def _bind(server: str) -> list[str]:
    return [part.format(port=PORTS[server]) for part in GUNICORN]


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"server not ready: {url} (see {WORK / 'servers.log'})")
        time.sleep(0.5)


def check_page(url: str, server: str) -> None:
    """The first page answers 200 with 100 rows (so wrk measures real pages, not errors)."""
    if server == "hello":
        return
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        body = json.loads(response.read())
    rows = body if isinstance(body, list) else body.get("results", body.get("rows"))
    if len(rows) != 100:
        raise SystemExit(f"{url}: {len(rows)} rows, expected 100")


def drain(base: str, path: str) -> None:
    """Wait until a server has answered what the previous run left queued (a request made
    now waits behind it), so that no server works for the previous one's clients."""
    for _ in range(2):
        try:
            with urllib.request.urlopen(base + path, timeout=120) as response:  # noqa: S310
                response.read()
        except OSError:
            pass


def run_wrk(base: str, script: Path, duration: float) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", str(script), base],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rate": rate,
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sockets.group(1) if sockets else "",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--skip-datasette", action="store_true")
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_tools()
    keys = table_keys(database_url)
    name = urlparse(database_url).path.strip("/") or "r2p"
    # The export follows the reference statements: a changed statement is exported again.
    statements = hashlib.sha256((ROOT / "benchmarks" / "bench_apps.py").read_bytes()).hexdigest()
    sqlite_name = f"{name}_{keys['progress-updates:count']}_{statements[:8]}"
    sqlite_path = WORK / f"{sqlite_name}.db"
    if not sqlite_path.exists():
        print(f"exporting the rows to {sqlite_path} for Datasette…", flush=True)
        started = time.monotonic()
        sh(
            str(BENCH_VENV / "bin" / "python"),
            str(ROOT / "benchmarks" / "bench_apps.py"),
            database_url,
            str(sqlite_path),
        )
        print(f"  {time.monotonic() - started:.0f} s", flush=True)
    servers = ["hello", "bare", "datasette", "datasette-nocount", "project"]
    if args.skip_datasette:
        servers = [s for s in servers if not s.startswith("datasette")]
    targets = [("hello", "-")] + [(s, r) for r in RESOURCES for s in servers if s != "hello"]
    scripts = {}
    for server, resource in targets:
        path_list = paths(server, resource, keys.get(resource, []), sqlite_name)
        scripts[server, resource] = lua(path_list, WORK / f"{server}-{resource}.lua")
    processes = start_servers(database_url, sqlite_path)
    results: list[dict] = []
    try:
        for server, resource in targets:
            port = PORTS["datasette" if server.startswith("datasette") else server]
            base = f"http://127.0.0.1:{port}"
            first = paths(server, resource, keys.get(resource, []), sqlite_name)[0]
            wait_ready(base + first)
            check_page(base + first, server)
            run_wrk(base, scripts[server, resource], 2)  # warm: connections, caches, imports
            drain(base, first)
        print(
            f"{keys['commitments:count']} commitments, {keys['progress-updates:count']} updates; "
            f"wrk -t2 -c16 -d{args.duration}s, {args.rounds} rounds",
            flush=True,
        )
        for number in range(args.rounds):
            load = os.getloadavg()
            order = targets[number % len(targets) :] + targets[: number % len(targets)]
            round_results = {}
            for server, resource in order:
                port = PORTS["datasette" if server.startswith("datasette") else server]
                measured = run_wrk(
                    f"http://127.0.0.1:{port}", scripts[server, resource], args.duration
                )
                drain(
                    f"http://127.0.0.1:{port}",
                    paths(server, resource, keys.get(resource, []), sqlite_name)[0],
                )
                round_results[f"{server} {resource}"] = measured
            results.append({"round": number + 1, "load": load, "results": round_results})
            print_round(results[-1], servers)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    summary(results, servers)
    out = WORK / f"wrk-{sqlite_name}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {"keys": {k: v for k, v in keys.items() if ":" in k}, "rounds": results}, indent=1
        )
    )
    print(f"raw results: {out}")


def ratios(round_results: dict, resource: str) -> dict:
    project = round_results[f"project {resource}"]["rate"]
    found = {}
    for other in ("bare", "datasette", "datasette-nocount"):
        if f"{other} {resource}" in round_results:
            found[other] = project / max(round_results[f"{other} {resource}"]["rate"], 1e-9)
    return found


def print_round(entry: dict, servers) -> None:
    load = " ".join(f"{value:.2f}" for value in entry["load"])
    print(f"round {entry['round']} (load average {load})")
    hello = entry["results"]["hello -"]
    print(f"  {'hello':<34} {hello['rate']:8.0f} req/s  p50 {hello['p50_ms']:6.1f} ms")
    for resource in RESOURCES:
        for server in servers:
            if server == "hello":
                continue
            r = entry["results"][f"{server} {resource}"]
            bad = f"  NON-2XX {r['non_2xx']}" if r["non_2xx"] else ""
            print(
                f"  {server + ' ' + resource:<34} {r['rate']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms{bad}"
            )
        line = ", ".join(f"{k} {v:.2f}x" for k, v in ratios(entry["results"], resource).items())
        print(f"  project / … on {resource}: {line}")


def summary(results: list[dict], servers) -> None:
    print("\nmedian over rounds of the per-round ratios (project's throughput / other's):")
    for resource in RESOURCES:
        per = [ratios(entry["results"], resource) for entry in results]
        line = ", ".join(
            f"{k} {statistics.median(r[k] for r in per):.2f}x "
            f"(min {min(r[k] for r in per):.2f}, max {max(r[k] for r in per):.2f})"
            for k in per[0]
        )
        p50 = statistics.median(
            entry["results"][f"project {resource}"]["p50_ms"] for entry in results
        )
        print(f"  {resource}: {line}; project p50 {p50:.1f} ms")


if __name__ == "__main__":
    main()
