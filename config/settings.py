"""Settings for the R2P Focal Point Commitment Tracker.

One module, driven by environment variables (see the README's "Settings" table). With no
environment at all it runs the embedded default: SQLite file, console e-mail, Celery on Kombu's
filesystem transport. ``APP_ENV=production`` turns on every security setting and refuses to
start without its secrets.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from tracker import links as public_pages

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

APP_ENV = env.str("APP_ENV", default="development")  # development | test | production
PRODUCTION = APP_ENV == "production"
TESTING = APP_ENV == "test"

# --- Core -------------------------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: production refuses to start without it
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
# Old keys still accepted for signatures while a new SECRET_KEY rolls out (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Never on in production, whatever the environment says: a debug page shows settings and code.
DEBUG = False if PRODUCTION else env.bool("DEBUG", default=not TESTING)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_countries",
    "axes",
    "corsheaders",
    "csp",
    # Our apps, lowest layer first: tracker -> commitments -> focalpoints and
    # workspace -> commitments -> focalpoints (pyproject.toml's import-linter contracts).
    "focalpoints",
    "commitments",
    "workspace",
    "tracker",
]

# Each public model's page belongs to the public site, not to the model's app: tracker owns the
# mapping (get_absolute_url), so the domain apps never name a page of a higher layer.
ABSOLUTE_URL_OVERRIDES = public_pages.PUBLIC_PAGES

MIDDLEWARE = [
    # First: /healthz answers before the host check and the HTTPS redirect (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "focalpoints.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.content_security.CSPMiddleware",  # django-csp's, its policy built once
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite file by default; PostgreSQL (psycopg 3) when DATABASE_URL is set.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{(VAR_DIR / 'db.sqlite3').as_posix()}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that needs no round trip (tracker/postgresql).
    DATABASES["default"]["ENGINE"] = "tracker.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The few statements run on every API list request are prepared once per connection
# (tracker/db.py). Turn off behind a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21).
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# Each web worker remembers the data versions between writes, told of every write by PostgreSQL's
# LISTEN/NOTIFY (D-16-29): an API response that cannot be a 304 then reads none. Turn off behind
# a pooler in transaction mode (LISTEN needs a session of its own).
DATA_VERSION_CACHE = env.bool("DATA_VERSION_CACHE", default=True)
if DATABASES["default"]["ENGINE"] != "tracker.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default: a typed "example.org" means https

AUTH_USER_MODEL = "focalpoints.User"
AUTHENTICATION_BACKENDS = [
    "focalpoints.lockout.AddressLockoutBackend",  # an address locked across usernames
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "tracker:dashboard"

# --- Sessions and log-in throttling ------------------------------------------------------------
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The client's address as our own proxies reported it, never as the client claims it.
AXES_CLIENT_IP_CALLABLE = "focalpoints.clients.client_ip"
# Failed log-ins from one address, whatever the usernames, before it is locked out for
# AXES_COOLOFF_HOURS (focalpoints/lockout.py).
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
# Password-reset requests: per client address (past it: 429) and per e-mail address (past it:
# the same answer, but no e-mail is sent).
PASSWORD_RESET_PER_IP = env.str("PASSWORD_RESET_PER_IP", default="10/hour")
PASSWORD_RESET_PER_ADDRESS = env.str("PASSWORD_RESET_PER_ADDRESS", default="3/hour")
# Self-registration of assessor organisations (/my/register/): per client address.
ORGANISATION_REGISTRATIONS_PER_IP = env.str("ORGANISATION_REGISTRATIONS_PER_IP", default="5/hour")

# --- The proxies in front of the app -----------------------------------------------------------
# How many reverse proxies of ours stand in front of the app server, each appending the peer it
# saw to X-Forwarded-For: 0 when clients connect to gunicorn directly, 1 behind the compose
# file's nginx. Rate limits and lock-outs key on the address this many entries from the right;
# anything further left was written by the client and is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats where Django's differ between dates and date-times (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")  # stored in UTC; shown in the user's zone
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env.str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    # An S3-compatible bucket (AWS, MinIO, Ceph, ...). Credentials come from the standard
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment variables (read by boto3).
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env.str("S3_BUCKET"),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "location": env.str("S3_PREFIX", default=""),
        "default_acl": "private",  # documents are served by the app, never by a public URL
        "querystring_auth": True,
        "file_overwrite": False,  # never replace a stored document or open-data file
    }
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_MB", default=10) * 1024 * 1024
# Spreadsheet imports: the largest file accepted, and from which size the check and the apply
# run in a Celery task (the page shows their progress) rather than in the request.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_MB", default=25) * 1024 * 1024
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_KB", default=256) * 1024
# Behind nginx (docker-compose.yml): the app checks and sets the headers, then hands the body
# to the proxy with X-Accel-Redirect to this internal-only location. Empty: the app streams it.
EVIDENCE_ACCEL_REDIRECT = env.str("EVIDENCE_ACCEL_REDIRECT", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="R2P Tracker <tracker@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SECRETARIAT_EMAIL = env.str("SECRETARIAT_EMAIL", default="")

# --- Cache ---------------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://tracker")}

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis redelivers an unacknowledged task after this many seconds: keep it above the
    # longest task (the daily reminder job) so acks_late never runs a live task twice.
    else {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
        # How often a worker looks for messages a dead worker took and never acknowledged
        # (given back once visibility_timeout has passed). One scan per interval.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The embedded default's broker is a folder: made here, so any command that enqueues a task
    # (seed_demo sends the demo reply's notice on commit) works on a fresh checkout, not only
    # after `make run` has made it.
    for _folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = env.str("CELERY_TIMEZONE", default=TIME_ZONE)
CELERY_BEAT_SCHEDULE = {
    "purge-evidence-drafts": {
        "task": "commitments.tasks.purge_evidence_drafts",
        "schedule": crontab(hour=3, minute=30),
    },
    # Cheap when nothing changed (one query); builds the zip once the data has settled.
    "refresh-open-data": {
        "task": "tracker.tasks.refresh_open_data",
        "schedule": env.int("OPEN_DATA_CHECK_EVERY_SECONDS", default=60),
    },
    "send-daily-reminders": {
        "task": "commitments.tasks.send_daily_reminders",
        "schedule": crontab(
            hour=env.int("REMINDERS_HOUR", default=6), minute=env.int("REMINDERS_MINUTE", default=0)
        ),
    },
    "send-follow-digests": {
        "task": "commitments.follows.send_follow_digests",
        "schedule": crontab(
            hour=env.int("FOLLOW_DIGEST_HOUR", default=7),
            minute=env.int("FOLLOW_DIGEST_MINUTE", default=0),
        ),
    },
}

# --- Review cycle and reminders ----------------------------------------------------------
REVIEW_DEFAULT_INTERVAL_DAYS = env.int("REVIEW_DEFAULT_INTERVAL_DAYS", default=180)
REMINDER_UPCOMING_DAYS = env.int("REMINDER_UPCOMING_DAYS", default=14)
REMINDER_OVERDUE_EVERY_DAYS = env.int("REMINDER_OVERDUE_EVERY_DAYS", default=7)
REMINDER_ESCALATION_DAYS = env.int("REMINDER_ESCALATION_DAYS", default=30)
# The daily job reads commitments and writes reminder rows this many at a time.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=1000)
# A digest is tried this many times (exponential backoff between tries) before it is failed.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=6)
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=60)
# A delivery that claimed its rows and has not finished after this long died mid-send.
REMINDER_CLAIM_TIMEOUT_MINUTES = env.int("REMINDER_CLAIM_TIMEOUT_MINUTES", default=30)
# The digest's wording and links belong to the workspace (whose pages it links to); the domain
# calls this function to compose it.
REMINDER_DIGEST_EMAIL = "workspace.emails.reminder_digest_message"
# Likewise the notice to an assessor organisation that a State replied to its assessment, and
# the confirmation link sent to an organisation that registers itself (docs/scrutiny.md).
ASSESSMENT_REPLY_EMAIL = "workspace.emails.assessment_reply_message"
ORGANISATION_CONFIRMATION_EMAIL = "workspace.emails.organisation_confirmation_message"
# How long the link confirming a self-registered organisation's e-mail address stays valid.
ORGANISATION_CONFIRMATION_MAX_AGE_DAYS = env.int(
    "ORGANISATION_CONFIRMATION_MAX_AGE_DAYS", default=7
)
# How long the signed "change reminder preferences" link in an e-mail stays valid.
REMINDER_PREFERENCES_LINK_MAX_AGE_DAYS = env.int(
    "REMINDER_PREFERENCES_LINK_MAX_AGE_DAYS", default=90
)

# --- Follow and be told (commitments/follows/, docs/follows.md) --------------------------------
# Weekly digests go out on this weekday (0 = Monday ... 6 = Sunday); daily ones every day.
FOLLOW_WEEKLY_WEEKDAY = env.int("FOLLOW_WEEKLY_WEEKDAY", default=0)
# How far back a run looks for events (catches up days the job did not run).
FOLLOW_LOOKBACK_DAYS = env.int("FOLLOW_LOOKBACK_DAYS", default=7)
# At most one confirmation e-mail per address per this many hours.
FOLLOW_CONFIRMATION_EVERY_HOURS = env.int("FOLLOW_CONFIRMATION_EVERY_HOURS", default=24)
FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS = env.int("FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS", default=7)
# Follow form: requests per client address (past it: 429) and per e-mail address (past it:
# the same answer, nothing recorded or sent).
FOLLOW_PER_IP = env.str("FOLLOW_PER_IP", default="20/hour")
FOLLOW_PER_ADDRESS = env.str("FOLLOW_PER_ADDRESS", default="5/hour")
# The messages link to public pages: the tracker composes them.
FOLLOW_CONFIRMATION_EMAIL = "tracker.follow_emails.confirmation_message"
FOLLOW_DIGEST_EMAIL = "tracker.follow_emails.digest_message"

# --- The open-data zip (tracker/opendata.py) -----------------------------------------------------
# Rebuilt once the data has not changed for this long, but never left more than
# OPEN_DATA_MAX_STALE_SECONDS behind a stream of changes.
OPEN_DATA_QUIET_SECONDS = env.int("OPEN_DATA_QUIET_SECONDS", default=60)
OPEN_DATA_MAX_STALE_SECONDS = env.int("OPEN_DATA_MAX_STALE_SECONDS", default=15 * 60)

# --- REST framework and API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.ApiTokenAuthentication",  # hashed per-user tokens
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "tracker.api.throttling.AnonThrottle",
        "tracker.api.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "tracker.api.exceptions.api_exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        # Per client address, on the public pages and the API alike (tracker/limits.py):
        # full CSV downloads and the open-data zip; text searches.
        "downloads": env.str("PUBLIC_THROTTLE_DOWNLOADS", default="60/hour"),
        "search": env.str("PUBLIC_THROTTLE_SEARCH", default="60/minute"),
    },
}
# Every API token expires this long after it is issued or renewed (shown in the workspace).
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=365)
SPECTACULAR_SETTINGS = {
    "TITLE": "R2P Focal Point Commitment Tracker API",
    "DESCRIPTION": "Open data on States' Responsibility to Protect commitments and progress.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # ``/api/docs/#/<tag>`` opens that resource's section (the links of the ``/api/v1/`` index).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "CommitmentStatusEnum": "commitments.models.Status",
        "UpdateStatusEnum": "commitments.models.UPDATE_STATUSES",
        "FocalPointEvidenceKindEnum": "focalpoints.models.EvidenceKind",
        # The language of user text and of translations: the site's four languages.
        "LanguageEnum": [code for code, _name in LANGUAGES],
        "EvidenceKindEnum": "commitments.models.Evidence.Kind",
    },
}
# Anonymous reads are CORS-open; the write endpoint (POST .../progress-updates/) is not.
CORS_URLS_REGEX = r"^/api/(?!v1/commitments/[^/]+/progress-updates/).*$"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After", "X-Total-Count"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# --- Content Security Policy: everything from our own origin ---------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Security (production) ----------------------------------------------------------------------
if PRODUCTION:
    # No SECURE_PROXY_SSL_HEADER: gunicorn decides the scheme (wsgi.url_scheme) from
    # X-Forwarded-Proto only when the peer is in FORWARDED_ALLOW_IPS (the proxy), so a client
    # that reaches the app server some other way cannot claim HTTPS (config/gunicorn.py).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_SILENCED_SYSTEM_CHECKS: list[str] = []
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging: one JSON object per line ----------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
