#!/usr/bin/env python3
"""`make prodcheck`: the production topology, run and driven on this machine.

What docker-compose.yml starts, as host processes with the same commands and settings:
nginx in front (ops/nginx/tracker.conf.template, TLS with a certificate made for this run),
gunicorn with several workers exactly as the Dockerfile runs it (config/gunicorn.py), one
Celery worker, exactly one beat, Redis as cache (DB 10) and broker (DB 11), PostgreSQL
(database r2p_prodcheck), APP_ENV=production with a throwaway secret. Then it drives it:

1. the health check passes as compose calls it (and through the proxy); HTTP redirects to HTTPS;
2. a focal point logs in and logs progress with a document, through the proxy; the document is
   served by nginx after the app's check, with the security headers;
3. the public pages, a CSV, the open-data zip (built by the worker) and the API answer;
4. the reminder job runs through the worker and the e-mails arrive (file backend);
5. the dashboard cache and the API rate limit hold across web processes (Redis);
6. 60 seconds of load from wrk on public pages and the API, while one gunicorn worker and the
   Celery worker are killed and come back: no error beyond requests in flight, no reminder lost
   or sent twice.

It prints the figures (requests, errors, p50/p99, restarts survived) and exits non-zero if any
step fails. Everything it starts is stopped by process group, also on failure or Ctrl-C.

Usage: python ops/prodcheck.py [--duration 60] [--keep]   (ports 8150-8152)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HTTPS_PORT, HTTP_PORT, APP_PORT = 8150, 8151, 8152
BASE = f"https://localhost:{HTTPS_PORT}"
DATABASE = "r2p_prodcheck"
CACHE_DB, BROKER_DB = 10, 11
WEB_WORKERS = 3
USER_RATE = 30  # API requests per minute for a token holder, to check across processes
FOCAL_POINT = ("ghana.fp", "demo-ghana-fp")  # a demo account (seed_demo --allow-production)
PUBLIC_PATHS = [
    "/",
    "/states/",
    "/states/GHA/",
    "/regions/african/",
    "/commitments/",
    "/resolutions/",
    "/steps/",
    "/data/",
    "/updates.atom",
    "/api/v1/commitments/",
    "/api/v1/member-states/",
    "/api/v1/progress-updates/",
    "/api/v1/stats/",
]


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(message, flush=True)


def ok(message: str) -> None:
    say(f"  ok  {message}")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)
    ok(message)


# --- Processes -------------------------------------------------------------------------------------


class Stack:
    """The processes this run started: each in its own process group, stopped by group."""

    def __init__(self, work: Path, env: dict):
        self.work, self.env = work, env
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.kill(name, signal.SIGTERM)
        for name in list(self.procs):
            self.kill(name, signal.SIGKILL)


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        env,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def django_shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code, capture=True).strip()


# --- Set-up --------------------------------------------------------------------------------------


def production_env(work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, this run only
            "ALLOWED_HOSTS": "localhost",
            "CSRF_TRUSTED_ORIGINS": BASE,
            "SITE_URL": BASE,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "CACHE_URL": f"redis://127.0.0.1:6379/{CACHE_DB}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{BROKER_DB}",
            # Short timeouts so a killed worker's task comes back within the run.
            "CELERY_VISIBILITY_TIMEOUT": "15",
            "CELERY_UNACKED_RESTORE_SECONDS": "3",
            "REMINDER_CLAIM_TIMEOUT_MINUTES": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(work / "mail"),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            # As in docker-compose.yml: one proxy of ours in front.
            "NUM_PROXIES": "1",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "EVIDENCE_ACCEL_REDIRECT": "/_protected/documents/",
            "PORT": str(APP_PORT),
            "BIND_HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(WEB_WORKERS),
            "GUNICORN_ACCESS_LOG": str(work / "gunicorn-access.log"),
            "OPEN_DATA_QUIET_SECONDS": "3",
            "OPEN_DATA_CHECK_EVERY_SECONDS": "3",
            # The load comes from one address: the anonymous limit must not be what is measured.
            "API_THROTTLE_ANON": "100000/minute",
            "API_THROTTLE_USER": f"{USER_RATE}/minute",
            "PUBLIC_THROTTLE_DOWNLOADS": "1000/hour",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def reset_services(env: dict) -> None:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    run([*psql, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], env)
    run([*psql, f"CREATE DATABASE {DATABASE}"], env)
    for db in (CACHE_DB, BROKER_DB):
        run(["redis-cli", "-n", str(db), "FLUSHDB"], env, stdout=subprocess.DEVNULL)


def make_certificate(work: Path) -> Path:
    run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(work / "tls.key"), "-out", str(work / "tls.crt"),
        ],
        os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return work / "tls.crt"


def render_nginx(work: Path) -> Path:
    """The compose file's proxy configuration, filled in as the nginx image fills it."""
    values = {
        "NGINX_SERVER_NAME": "localhost",
        "NGINX_HTTPS_PORT": f"127.0.0.1:{HTTPS_PORT}",
        "NGINX_HTTP_PORT": f"127.0.0.1:{HTTP_PORT}",
        "NGINX_PUBLIC_URL": BASE,
        "NGINX_CERT": str(work / "tls.crt"),
        "NGINX_CERT_KEY": str(work / "tls.key"),
        "NGINX_UPSTREAM": f"127.0.0.1:{APP_PORT}",
        "NGINX_MEDIA_ROOT": str(work / "media"),
        "NGINX_MAX_BODY": "110m",
    }
    template = (ROOT / "ops" / "nginx" / "tracker.conf.template").read_text()
    shell_format = " ".join(f"${{{name}}}" for name in values)
    server = subprocess.run(
        ["envsubst", shell_format],
        input=template, env={**os.environ, **values}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    (work / "tracker.conf").write_text(server)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "nginx-temp" / temp).mkdir(parents=True, exist_ok=True)
    main = f"""
daemon off;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/nginx-access.log;
    sendfile on;
    client_body_temp_path {work}/nginx-temp/body;
    proxy_temp_path {work}/nginx-temp/proxy;
    fastcgi_temp_path {work}/nginx-temp/fastcgi;
    uwsgi_temp_path {work}/nginx-temp/uwsgi;
    scgi_temp_path {work}/nginx-temp/scgi;
    include {work}/tracker.conf;
}}
"""
    (work / "nginx.conf").write_text(main)
    return work / "nginx.conf"


def wait_until(condition, *, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (requests.RequestException, OSError, ValueError) as exc:
            last_error = exc
        time.sleep(every)
    raise CheckFailed(f"timed out after {timeout:.0f}s waiting for {what} ({last_error})")


# --- The checks ----------------------------------------------------------------------------------


def check_health(env: dict, session: requests.Session) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    command = [arg.replace(":8000/", f":{APP_PORT}/") for arg in test[1:]]
    command[0] = str(VENV_BIN / "python") if command[0] == "python" else command[0]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    expect(result.returncode == 0, "the web health check passes exactly as compose calls it")
    response = session.get(f"{BASE}/healthz")
    expect(response.json() == {"status": "ok", "database": "ok"}, "/healthz through the proxy")
    plain = requests.get(f"http://localhost:{HTTP_PORT}/states/", allow_redirects=False, timeout=10)
    expect(
        plain.status_code == 301 and plain.headers["Location"] == f"{BASE}/states/",
        "plain HTTP is redirected to HTTPS by the proxy",
    )
    home = session.get(f"{BASE}/")
    expect("max-age=31536000" in home.headers.get("Strict-Transport-Security", ""), "HSTS is set")
    expect("nginx/" not in home.headers.get("Server", ""), "the proxy does not tell its version")
    direct = requests.get(
        f"http://127.0.0.1:{APP_PORT}/states/",
        headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
        allow_redirects=False,
        timeout=10,
    )
    # From the proxy's address (127.0.0.1 here, FORWARDED_ALLOW_IPS) gunicorn takes the scheme
    # from X-Forwarded-Proto, so Django does not redirect; from any other address it would
    # ignore the header (config/gunicorn.py; unit-tested by gunicorn, not reachable from here).
    expect(
        direct.status_code == 200, "gunicorn believes X-Forwarded-Proto from the proxy's address"
    )


def tiny_pdf(marker: str) -> bytes:
    stream = f"BT /F1 12 Tf 20 100 Td ({marker}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise CheckFailed("no CSRF token in the form")
    return match.group(1)


def check_focal_point_reports(session: requests.Session, marker: str) -> dict:
    login = session.get(f"{BASE}/accounts/login/")
    response = session.post(
        f"{BASE}/accounts/login/",
        data={
            "username": FOCAL_POINT[0],
            "password": FOCAL_POINT[1],
            "csrfmiddlewaretoken": csrf_of(login.text),
        },
        headers={"Referer": f"{BASE}/accounts/login/"},
        allow_redirects=False,
    )
    expect(
        response.status_code == 302 and "/my/" in response.headers["Location"],
        "a focal point logs in over HTTPS",
    )
    cookie = next(c for c in session.cookies if c.name == "sessionid")
    expect(
        cookie.secure and cookie.has_nonstandard_attr("HttpOnly"),
        "the session cookie is Secure and HttpOnly",
    )
    listing = session.get(f"{BASE}/api/v1/commitments/", params={"member_state": "GHA"}).json()
    commitment = listing["results"][0]["id"]
    form_url = f"{BASE}/my/commitments/{commitment}/updates/new/"
    form = session.get(form_url)
    pdf = tiny_pdf(marker)
    response = session.post(
        form_url,
        data={
            "csrfmiddlewaretoken": csrf_of(form.text),
            "reported_on": datetime.date.today().isoformat(),
            "status": "substantial",
            "narrative": f"Progress logged by the production check ({marker}).",
            "links-TOTAL_FORMS": "2",
            "links-INITIAL_FORMS": "0",
            "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000",
        },
        files={"files": ("prodcheck-decree.pdf", pdf, "application/pdf")},
        headers={"Referer": form_url},
        allow_redirects=False,
    )
    expect(response.status_code == 302, "the progress form with a document goes to the preview")
    preview_url = requests.compat.urljoin(BASE, response.headers["Location"])
    preview = session.get(preview_url)
    published = session.post(
        preview_url,
        data={"csrfmiddlewaretoken": csrf_of(preview.text), "action": "publish"},
        headers={"Referer": preview_url},
        allow_redirects=False,
    )
    expect(published.status_code == 302, "the update is published from the preview")
    page = session.get(f"{BASE}/commitments/{commitment}/").text
    expect(marker in page, "the update is on the public commitment page")
    links = re.findall(r'href="(/evidence/\d+/[^"]+)"', page)
    expect(bool(links), "the page links the document to the evidence view")
    document = session.get(BASE + links[-1])
    headers = document.headers
    expect(
        document.status_code == 200 and document.content == pdf,
        "nginx serves the document after the app's check (X-Accel-Redirect)",
    )
    expect("X-Accel-Redirect" not in headers, "the internal redirect does not leak")
    expect(
        headers.get("Content-Type") == "application/pdf", "the document keeps its inspected type"
    )
    expect(headers.get("Content-Disposition", "").startswith("inline;"), "a PDF is shown inline")
    expect(headers.get("X-Content-Type-Options") == "nosniff", "nosniff on the document")
    expect(
        headers.get("Content-Security-Policy", "").startswith("sandbox;"),
        "CSP sandbox on the document",
    )
    anonymous = requests.get(BASE + links[-1], verify=session.verify, timeout=10)
    expect(anonymous.content == pdf, "a published document is public")
    expect(
        requests.get(f"{BASE}/media/evidence/", verify=session.verify, timeout=10).status_code
        == 404,
        "nothing is served under /media/",
    )
    return {"commitment": commitment, "document": links[-1]}


def check_public_surfaces(session: requests.Session, marker: str) -> None:
    for path in PUBLIC_PATHS:
        response = session.get(BASE + path)
        if response.status_code != 200:
            raise CheckFailed(f"{path} answered {response.status_code}")
    ok(f"{len(PUBLIC_PATHS)} public pages and API lists answer 200")
    csv = session.get(f"{BASE}/commitments/?format=csv")
    expect(
        csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv"),
        "the full commitments CSV downloads",
    )
    schema = session.get(f"{BASE}/api/schema/?format=json")
    expect(schema.status_code == 200 and "openapi" in schema.json(), "the OpenAPI schema answers")

    def zip_with_marker():
        response = session.get(f"{BASE}/data/r2p-tracker-open-data.zip")
        if response.status_code != 200:
            return None
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        updates = archive.read("json/progress_updates.json").decode()
        return archive if marker in updates else None

    archive = wait_until(
        zip_with_marker,
        timeout=120,
        what="the worker to publish a zip with the new update",
        every=2,
    )
    expect(
        "datapackage.json" in archive.namelist(),
        "the open-data zip, rebuilt by the worker after the update, downloads",
    )
    stamp = archive.getinfo("datapackage.json").date_time
    expect(stamp[0] >= 2024, f"zip entries carry real dates ({stamp[:3]})")
    data_page = session.get(f"{BASE}/data/").text
    expect("SHA-256" in data_page, "/data/ shows the file's size, build time and data version")


def redis_keys(pattern: str) -> list[str]:
    out = subprocess.run(
        ["redis-cli", "-n", str(CACHE_DB), "--scan", "--pattern", pattern],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line for line in out.splitlines() if line]


def worker_pids_in_access_log(work: Path, path_fragment: str) -> set[str]:
    pids = set()
    for line in (work / "gunicorn-access.log").read_text().splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if path_fragment in entry.get("path", ""):
                pids.add(entry["worker"])
    return pids


def burst_in_one_window(call, count: int, *, seconds: int, attempts: int = 3) -> list[int]:
    """Fire ``count`` concurrent calls inside one fixed throttle window (the counters are
    keyed on ``epoch // seconds``): start at a window's beginning, and fire again in the next
    window if a slow machine let the burst cross a boundary, where both windows' counts are
    legitimately allowed."""
    for _ in range(attempts):
        time.sleep(seconds - time.time() % seconds + 0.2)
        window = int(time.time() // seconds)
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(call, range(count)))
        if int(time.time() // seconds) == window:
            return statuses
        print(f"  ..  the burst crossed a {seconds}-second window; firing again in the next one")
    raise SystemExit(f"FAIL: {count} requests never fitted in one {seconds}-second window")


def check_shared_across_processes(env: dict, work: Path, session: requests.Session) -> None:
    for _ in range(3 * WEB_WORKERS):
        session.get(f"{BASE}/")
    figures = redis_keys("*tracker:stats:coverage:*")
    fragments = redis_keys("*template.cache.tracker-figures*")
    expect(
        bool(figures) and bool(fragments),
        "the dashboard's figures and fragment are cached in Redis, shared by every web process",
    )
    raw = django_shell(
        env,
        "from focalpoints.models import User; from focalpoints.tokens import api_token_issue; "
        f"print(api_token_issue(user=User.objects.get(username='{FOCAL_POINT[0]}'), name='prodcheck')[1])",
    ).splitlines()[-1]
    headers = {"Authorization": f"Bearer {raw}"}

    def call(_):
        with requests.Session() as own:  # a new connection each: spread over the workers
            own.trust_env = False
            own.verify = session.verify
            return own.get(f"{BASE}/api/v1/stats/", headers=headers, timeout=30).status_code

    statuses = burst_in_one_window(call, 3 * USER_RATE, seconds=60)
    pids = worker_pids_in_access_log(work, "/api/v1/stats/")
    allowed = statuses.count(200)
    expect(
        allowed == USER_RATE and statuses.count(429) == 2 * USER_RATE,
        f"the API rate limit holds across {len(pids)} web processes: {allowed} of {len(statuses)} allowed at {USER_RATE}/minute",
    )
    expect(len(pids) >= 2, "those requests were served by more than one gunicorn worker")


REMINDER_SETUP = """
import datetime
from commitments.models import PreventionStep
from commitments.selectors import review_today
from commitments.services import commitment_create
from focalpoints.models import MemberState, User
staff = User.objects.filter(is_staff=True).first()
today = review_today()
step = PreventionStep.objects.filter(is_active=True).first()
for code in {codes!r}:
    commitment_create(
        user=staff, state=MemberState.objects.get(code=code), step=step,
        title="Due today for the production check ({tag} " + code + ")", description="x",
        source_kind="other", source_description="prodcheck",
        pledged_on=today - datetime.timedelta(days=30), review_interval_days=30,
    )
print("ok")
"""

REMINDER_STATE = """
import json
from commitments.models import Reminder
from django.db.models import Count
rows = Reminder.objects.filter(commitment__title__contains="({tag} ")
print(json.dumps({{
    "owed": rows.count(),
    "outcomes": dict(rows.values_list("outcome").annotate(n=Count("pk"))),
    "digests": Reminder.objects.filter(outcome="sent").values("recipient_email", "sent_at").distinct().count(),
    "open": Reminder.objects.filter(outcome__in=["pending", "sending"]).count(),
}}))
"""


def reminder_state(env: dict, tag: str) -> dict:
    return json.loads(django_shell(env, REMINDER_STATE.format(tag=tag)).splitlines()[-1])


# Every reminder digest carries its recipient's one-click preferences link; other messages (the
# demo data's reply notice to an assessor, follow confirmations) do not, and are not counted.
REMINDER_MARK = "/my/reminders/preferences/"


def messages_written(work: Path) -> int:
    """Reminder digests written by the file e-mail backend (one message per separator)."""
    folder = work / "mail"
    if not folder.exists():
        return 0
    separator = "\n" + "-" * 79 + "\n"
    return sum(
        message.count(REMINDER_MARK) > 0
        for path in folder.iterdir()
        for message in path.read_text(errors="replace").split(separator)
    )


def enqueue_reminders(env: dict) -> None:
    run(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "call",
            "commitments.tasks.send_daily_reminders",
        ],
        env,
        stdout=subprocess.DEVNULL,
    )


def settle_reminders(env: dict, work: Path, tag: str) -> dict:
    def settled():
        state = reminder_state(env, tag)
        return state if state["owed"] and not state["open"] else None

    try:
        state = wait_until(
            lambda: settled(), timeout=150, what=f"reminders {tag} to be sent", every=3
        )
    except CheckFailed:
        # A delivery killed mid-send holds its rows until the claim times out (1 minute here);
        # the next run records them as failed — never silently lost.
        time.sleep(65)
        enqueue_reminders(env)
        state = wait_until(
            lambda: settled(), timeout=90, what=f"reminders {tag} to settle", every=3
        )
    return state


def check_reminders(env: dict, work: Path, tag: str, codes: list[str]) -> dict:
    django_shell(env, REMINDER_SETUP.format(codes=codes, tag=tag))
    enqueue_reminders(env)
    state = settle_reminders(env, work, tag)
    written = messages_written(work)
    expect(
        state["outcomes"].get("sent", 0) > 0,
        f"the reminder job ran through the worker: {state['outcomes']}",
    )
    expect(
        written == state["digests"],
        f"{written} e-mails written for {state['digests']} digests sent: none twice",
    )
    return state


# --- Load, with failures -------------------------------------------------------------------------

WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def gunicorn_workers(stack: Stack) -> list[int]:
    master = stack.procs["web"].pid
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def run_load(stack: Stack, env: dict, work: Path, duration: int) -> dict:
    script = work / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in PUBLIC_PATHS))
    events: list[str] = []

    def chaos():
        time.sleep(duration * 0.25)
        victim = gunicorn_workers(stack)[0]
        os.kill(victim, signal.SIGKILL)
        events.append(f"t={duration * 0.25:.0f}s SIGKILL gunicorn worker {victim}")
        wait_until(
            lambda: len(gunicorn_workers(stack)) == WEB_WORKERS,
            timeout=30,
            what="gunicorn to replace its worker",
        )
        stack.restarts["gunicorn worker"] = stack.restarts.get("gunicorn worker", 0) + 1
        time.sleep(duration * 0.15)
        django_shell(env, REMINDER_SETUP.format(codes=["DNK", "KEN", "EUU"], tag="B"))
        enqueue_reminders(env)
        time.sleep(0.3)
        stack.kill("worker")
        events.append(f"t={duration * 0.4:.0f}s reminder job enqueued, Celery worker SIGKILLed")
        time.sleep(5)
        start_worker(stack)
        stack.restarts["celery worker"] = stack.restarts.get("celery worker", 0) + 1
        events.append(f"t={duration * 0.4 + 5:.0f}s Celery worker restarted")

    thread = threading.Thread(target=chaos, daemon=True)
    thread.start()
    result = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", "--timeout", "10s", "-s", str(script), BASE],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    thread.join(timeout=60)
    (work / "wrk.txt").write_text(result.stdout)
    return {"wrk": parse_wrk(result.stdout), "events": events}


def parse_wrk(text: str) -> dict:
    def seconds_to_ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests_done = int(re.search(r"(\d+) requests in", text).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.MULTILINE))
    return {
        "requests": requests_done,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "p50_ms": seconds_to_ms(latency["50"]),
        "p99_ms": seconds_to_ms(latency["99"]),
    }


def start_worker(stack: Stack) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = [
        a.replace("${CELERY_CONCURRENCY:-2}", "2") for a in compose["services"]["worker"]["command"]
    ]
    stack.start("worker", [str(VENV_BIN / command[0]), *command[1:]])


def start_stack(stack: Stack, work: Path, nginx_conf: Path) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    beat = [
        a.replace("/tmp/celerybeat-schedule", str(work / "celerybeat-schedule"))  # noqa: S108
        for a in compose["services"]["beat"]["command"]
    ]
    dockerfile_cmd = json.loads(
        re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE).group(1)
    )
    stack.start("web", [str(VENV_BIN / dockerfile_cmd[0]), *dockerfile_cmd[1:]])
    start_worker(stack)
    stack.start("beat", [str(VENV_BIN / beat[0]), *beat[1:]])
    stack.start("nginx", ["nginx", "-c", str(nginx_conf), "-p", str(work)])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    options = parser.parse_args(argv)
    for tool in ("nginx", "wrk", "openssl", "envsubst", "redis-cli", "psql", "pgrep"):
        if shutil.which(tool) is None:
            raise SystemExit(f"prodcheck needs {tool} on PATH (.ci/run installs it)")
    work = Path(tempfile.mkdtemp(prefix="r2p-prodcheck-"))
    work.chmod(0o755)  # nginx workers (nobody) read the media folder
    env = production_env(work)
    stack = Stack(work, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.monotonic()
    figures: dict = {}
    try:
        say(f"prodcheck: work folder {work}")
        reset_services(env)
        cert = make_certificate(work)
        say("Set up as the compose file's migrate service does, plus demo accounts")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_reference_data", capture=True)
        manage(env, "seed_demo", "--allow-production", capture=True)
        manage(env, "collectstatic", "--no-input", "-v", "0")  # as the image build does
        nginx_conf = render_nginx(work)
        run(["nginx", "-t", "-q", "-c", str(nginx_conf), "-p", str(work)], env)
        say(
            f"Start: nginx :{HTTPS_PORT}/:{HTTP_PORT}, gunicorn ({WEB_WORKERS} workers) :{APP_PORT}, Celery worker, one beat"
        )
        start_stack(stack, work, nginx_conf)
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override the run's certificate
        session.verify = str(cert)
        wait_until(
            lambda: session.get(f"{BASE}/healthz", timeout=5).status_code == 200,
            timeout=90,
            what="the site to answer",
        )
        marker = f"prodcheck-{secrets.token_hex(4)}"
        say("1. Health and transport")
        check_health(env, session)
        say("2. A focal point reports progress with a document")
        check_focal_point_reports(session, marker)
        say("3. Public pages, CSV, open-data zip, API")
        check_public_surfaces(session, marker)
        say("4. Reminders through the worker")
        figures["reminders_a"] = check_reminders(env, work, "A", ["GHA"])
        say("5. Shared state across web processes")
        check_shared_across_processes(env, work, session)
        say(
            f"6. {options.duration} s of load while a gunicorn worker and the Celery worker are killed"
        )
        load = run_load(stack, env, work, options.duration)
        for event in load["events"]:
            say(f"      {event}")
        figures["load"] = load["wrk"]
        w = load["wrk"]
        say(
            f"      {w['requests']} requests ({w['rps']:.1f}/s), p50 {w['p50_ms']:.1f} ms, "
            f"p99 {w['p99_ms']:.1f} ms, non-2xx {w['non_2xx']}, socket errors {w['socket_errors']}"
        )
        in_flight = 8  # wrk's connections: at most one request each was on the killed worker
        expect(
            w["non_2xx"] + w["socket_errors"] <= in_flight,
            f"no failed request beyond those in flight ({w['non_2xx'] + w['socket_errors']} ≤ {in_flight})",
        )
        expect(len(gunicorn_workers(stack)) == WEB_WORKERS, "gunicorn replaced the killed worker")
        state = settle_reminders(env, work, "B")
        written = messages_written(work)
        expect(
            not state["open"],
            f"no reminder left pending after the worker was killed: {state['outcomes']}",
        )
        expect(
            written == state["digests"],
            f"{written} e-mails for {state['digests']} digests: none sent twice",
        )
        figures["reminders_b"] = state
        figures["restarts"] = dict(stack.restarts)
        health = session.get(f"{BASE}/healthz")
        expect(health.status_code == 200, "healthy after the load")
    except (CheckFailed, subprocess.CalledProcessError, requests.RequestException) as exc:
        say(f"FAIL: {exc}")
        say(f"Logs: {work}")
        options.keep = True
        return 1
    finally:
        stack.stop_all()
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    w = figures["load"]
    say("")
    say(f"prodcheck passed in {time.monotonic() - started:.0f} s")
    say(
        f"  load: {w['requests']} requests in {options.duration} s ({w['rps']:.1f}/s) over nginx+TLS, "
        f"p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, errors {w['non_2xx'] + w['socket_errors']}"
    )
    say(f"  restarts survived: {figures['restarts']}")
    say(
        f"  reminders: before the load {figures['reminders_a']['outcomes']}, across the worker kill {figures['reminders_b']['outcomes']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
