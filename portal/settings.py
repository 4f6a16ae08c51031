"""Keel settings, read from the environment (12-factor).

With nothing set, the portal runs on SQLite with all local state under one data folder
(``KEEL_DATA_DIR``, default ``./var``) and Celery on its filesystem transport, so a fresh
machine needs no services. ``DATABASE_URL`` selects PostgreSQL and ``CELERY_BROKER_URL`` a
Redis or RabbitMQ broker. ``.env.example`` lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

DATA_DIR = Path(env.str("KEEL_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET_KEY = "django-insecure-keel-local-development-only"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: "
            "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "axes",
    "portal",
    "accounts",
    "teams",
    "catalog",
    "scaffolding",
    "descriptors",
    "contracts",
    "delivery",
    "notifications",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "portal.middleware.ErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # An ETag from each GET response's body, and 304 to a client that holds that body.
    "django.middleware.http.ConditionalGetMiddleware",
    "portal.csp.BuiltOnceCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a sign-in's outcome and answers a lockout (accounts.signin).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp): scripts, styles, images and requests
# only from the portal itself, never inline. Swagger UI, GraphiQL and the graph page run from
# vendored static files; a spec's description cannot make the browser fetch another host's
# image (a tracking pixel) or send data anywhere. Raw specs carry their own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'keel.sqlite3'}")
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend with a health check that needs no round trip (portal/postgres).
    DATABASES["default"]["ENGINE"] = "portal.postgres"
    # Parameters bound on the server let PostgreSQL keep the plan of a statement that a
    # connection runs often (five times), such as the token lookup of every API request.
    # A transaction-mode PgBouncer cannot keep prepared statements: turn this off behind one.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# The view behind /accounts/login/: swap in a single sign-on view without touching the URLs.
KEEL_LOGIN_VIEW = env.str("KEEL_LOGIN_VIEW", default="django.contrib.auth.views.LoginView")

# --- Accounts: sign-in protection and API tokens (accounts/) --------------------------------
AUTHENTICATION_BACKENDS = [
    "accounts.signin.SignInLockoutBackend",  # refuses paused accounts and addresses first
    # Django's ModelBackend, except that permissions on Keel's records are portal.permissions'.
    "portal.backends.PermissionRulesBackend",
]
# Failed sign-ins are counted per account and per address; at the limit, signing in pauses
# for the cool-off, the right password included. Not reset by a success: a success must not
# clear the count of other accounts tried from the same address.
AXES_FAILURE_LIMIT = env.int("KEEL_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KEEL_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_VERBOSE = False
# Reverse proxies in front of the portal that append the client to X-Forwarded-For; 0 means
# clients connect directly and REMOTE_ADDR is theirs.
KEEL_TRUSTED_PROXY_COUNT = env.int("KEEL_TRUSTED_PROXY_COUNT", default=0)
# Refused API tokens (and git passwords) from one address within a window, before 429.
KEEL_BAD_TOKEN_LIMIT = env.int("KEEL_BAD_TOKEN_LIMIT", default=20)
KEEL_BAD_TOKEN_WINDOW_SECONDS = env.int("KEEL_BAD_TOKEN_WINDOW_SECONDS", default=300)
KEEL_MAX_TOKENS_PER_USER = env.int("KEEL_MAX_TOKENS_PER_USER", default=50)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # our CSS and JS, and pinned vendored libraries
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security: strict unless running locally in debug mode -------------------------------
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz and /readyz are probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Keel ---------------------------------------------------------------------------------
KEEL_TEAM_SIZE_LIMIT = env.int("KEEL_TEAM_SIZE_LIMIT", default=10)
# Specifications: validation time grows with size, so the caps bound what one publish costs
# (benchmarks/specs.py measures the largest documents they allow).
KEEL_SPEC_MAX_BYTES = env.int("KEEL_SPEC_MAX_BYTES", default=500_000)
KEEL_SPEC_MAX_GRAPHQL_TOKENS = env.int("KEEL_SPEC_MAX_GRAPHQL_TOKENS", default=100_000)
KEEL_SPEC_PAGE_SIZE = 50  # operations, channels or types per page of an API's summary
KEEL_SPEC_VIEWER_AUTOSTART_OPERATIONS = 300  # larger OpenAPI documents start Swagger UI on request
KEEL_SPEC_INLINE_CHARS = 20_000  # larger specs are not repeated as text on the API page
# openapi-spec-validator switches to jsonschema-rs whenever that is importable: pin its own
# backend to jsonschema so that refusals read alike everywhere; catalog.spec_regex asks
# jsonschema-rs first and jsonschema for the message of a refusal.
os.environ.setdefault("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")

# --- Contract governance (contracts/) -----------------------------------------------------
# A sunset date that releases a breaking version gives its consumers at least this long.
KEEL_CONTRACT_SUNSET_MIN_DAYS = env.int("KEEL_CONTRACT_SUNSET_MIN_DAYS", default=30)

# --- Notifications (notifications/): inbox, e-mail, signed team webhooks -------------------
# Mail goes through Django's backend: the console in development (EMAIL_URL=smtp://... for SMTP).
# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... from the one URL:
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="keel@localhost")
KEEL_NOTIFY_EMAIL_TIMEOUT_SECONDS = env.float("KEEL_NOTIFY_EMAIL_TIMEOUT_SECONDS", default=10)
KEEL_NOTIFY_WEBHOOK_TIMEOUT_SECONDS = env.float("KEEL_NOTIFY_WEBHOOK_TIMEOUT_SECONDS", default=5)
# Webhooks to loopback, private or link-local addresses are refused (SSRF) unless this is set.
KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = env.bool("KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE", default=False)
# Retries of a failed e-mail or webhook delivery, with exponential backoff up to the cap.
KEEL_NOTIFY_RETRIES = env.int("KEEL_NOTIFY_RETRIES", default=5)
KEEL_NOTIFY_RETRY_BASE_SECONDS = env.float("KEEL_NOTIFY_RETRY_BASE_SECONDS", default=10)
KEEL_NOTIFY_RETRY_MAX_SECONDS = env.float("KEEL_NOTIFY_RETRY_MAX_SECONDS", default=600)

# --- Scaffolding (self-service: templates, repositories, pipelines) -----------------------
# The port `make run` serves on; links (repositories, pipelines, clone lines) follow it.
# Catalog as code (descriptors): the largest descriptor file read, and the hosts whose
# absolute URLs descriptors may fetch ($text, $openapi... and url locations).
KEEL_CATALOG_MAX_FILE_BYTES = env.int("KEEL_CATALOG_MAX_FILE_BYTES", default=64 * 1024 * 1024)
KEEL_CATALOG_FETCH_HOSTS = env.list("KEEL_CATALOG_FETCH_HOSTS", default=[])
# Sync (descriptors.syncing): every location re-read after KEEL_CATALOG_SYNC_SECONDS (0: never),
# decided on every worker's timer tick; a read holds its run through a lease its heartbeat
# renews; a source that may be readable later is retried with backoff.
KEEL_CATALOG_SYNC_SECONDS = env.int("KEEL_CATALOG_SYNC_SECONDS", default=1800)
KEEL_CATALOG_SYNC_TICK_SECONDS = env.float("KEEL_CATALOG_SYNC_TICK_SECONDS", default=10)
KEEL_CATALOG_SYNC_LEASE_SECONDS = env.float("KEEL_CATALOG_SYNC_LEASE_SECONDS", default=30)
KEEL_CATALOG_SYNC_HEARTBEAT_SECONDS = env.float(
    "KEEL_CATALOG_SYNC_HEARTBEAT_SECONDS", default=KEEL_CATALOG_SYNC_LEASE_SECONDS / 3
)
KEEL_CATALOG_SYNC_RETRIES = env.int("KEEL_CATALOG_SYNC_RETRIES", default=5)
KEEL_CATALOG_SYNC_RETRY_BASE_SECONDS = env.float("KEEL_CATALOG_SYNC_RETRY_BASE_SECONDS", default=2)
KEEL_CATALOG_SYNC_RETRY_MAX_SECONDS = env.float("KEEL_CATALOG_SYNC_RETRY_MAX_SECONDS", default=300)
KEEL_CATALOG_SYNC_TIME_LIMIT = env.int("KEEL_CATALOG_SYNC_TIME_LIMIT", default=900)

KEEL_PORT = env.int("KEEL_PORT", default=8000)
KEEL_BASE_URL = env.str("KEEL_BASE_URL", default=f"http://127.0.0.1:{KEEL_PORT}")
KEEL_REPOSITORY_PROVIDER = env.str("KEEL_REPOSITORY_PROVIDER", default="local")
KEEL_REPOSITORY_ROOT = Path(
    env.str("KEEL_REPOSITORY_ROOT", default=str(DATA_DIR / "repositories"))
).resolve()
KEEL_SCAFFOLD_WORK_DIR = DATA_DIR / "scaffold-work"
KEEL_TEMPLATE_DIRS = env.list("KEEL_TEMPLATE_DIRS", default=[])
# Read by the worker that runs the task (messages carry no limits of the web process).
KEEL_SCAFFOLD_TIME_LIMIT = env.int("KEEL_SCAFFOLD_TIME_LIMIT", default=300)
# A running step renews its run's lease every heartbeat; a lease that runs out means the
# worker died, and the worker's reaper timer (every KEEL_SCAFFOLD_REAP_SECONDS) resends it.
KEEL_SCAFFOLD_LEASE_SECONDS = env.int("KEEL_SCAFFOLD_LEASE_SECONDS", default=30)
KEEL_SCAFFOLD_HEARTBEAT_SECONDS = env.float(
    "KEEL_SCAFFOLD_HEARTBEAT_SECONDS", default=KEEL_SCAFFOLD_LEASE_SECONDS / 3
)
KEEL_SCAFFOLD_REAP_SECONDS = env.float("KEEL_SCAFFOLD_REAP_SECONDS", default=10)
KEEL_SCAFFOLD_MAX_ATTEMPTS = env.int("KEEL_SCAFFOLD_MAX_ATTEMPTS", default=3)
# Transient errors (network, 5xx, rate limits): each step has its own budget of retries,
# with exponential backoff and jitter between KEEL_SCAFFOLD_RETRY_BASE_SECONDS and the cap.
KEEL_SCAFFOLD_STEP_RETRIES = env.int("KEEL_SCAFFOLD_STEP_RETRIES", default=5)
KEEL_SCAFFOLD_RETRY_BASE_SECONDS = env.float("KEEL_SCAFFOLD_RETRY_BASE_SECONDS", default=2)
KEEL_SCAFFOLD_RETRY_MAX_SECONDS = env.float("KEEL_SCAFFOLD_RETRY_MAX_SECONDS", default=60)
KEEL_GITHUB_TOKEN = env.str("KEEL_GITHUB_TOKEN", default="")
KEEL_GITHUB_ORG = env.str("KEEL_GITHUB_ORG", default="")
KEEL_GITHUB_API_URL = env.str("KEEL_GITHUB_API_URL", default="https://api.github.com")
KEEL_GITLAB_TOKEN = env.str("KEEL_GITLAB_TOKEN", default="")
KEEL_GITLAB_GROUP_ID = env.int("KEEL_GITLAB_GROUP_ID", default=0)
KEEL_GITLAB_GROUP_PATH = env.str("KEEL_GITLAB_GROUP_PATH", default="")
KEEL_GITLAB_API_URL = env.str("KEEL_GITLAB_API_URL", default="https://gitlab.com/api/v4")
_PROVIDER_NEEDS = {
    "github": ("KEEL_GITHUB_TOKEN", "KEEL_GITHUB_ORG"),
    "gitlab": ("KEEL_GITLAB_TOKEN", "KEEL_GITLAB_GROUP_ID", "KEEL_GITLAB_GROUP_PATH"),
}
for _name in _PROVIDER_NEEDS.get(KEEL_REPOSITORY_PROVIDER, ()):
    if not globals()[_name]:
        raise ImproperlyConfigured(
            f"{_name} must be set when KEEL_REPOSITORY_PROVIDER={KEEL_REPOSITORY_PROVIDER}."
        )

# --- Delivery (pipeline runs: delivery/) ---------------------------------------------------
# Work folders of running stages, and the content-addressed artifact store.
KEEL_DELIVERY_WORK_DIR = Path(
    env.str("KEEL_DELIVERY_WORK_DIR", default=str(DATA_DIR / "delivery-work"))
).resolve()
KEEL_DELIVERY_ARTIFACT_DIR = Path(
    env.str("KEEL_DELIVERY_ARTIFACT_DIR", default=str(DATA_DIR / "artifacts"))
).resolve()
# CDEvents reported by external CI/CD systems (delivery/events.py): the largest body read,
# and how far a signature's timestamp may be from now.
KEEL_DELIVERY_EVENT_MAX_BYTES = env.int("KEEL_DELIVERY_EVENT_MAX_BYTES", default=64 * 1024)
KEEL_DELIVERY_EVENT_WINDOW_SECONDS = env.int("KEEL_DELIVERY_EVENT_WINDOW_SECONDS", default=300)
# The webhook deployment target's request to the external CD system (delivery/targets/webhook.py).
KEEL_DELIVERY_WEBHOOK_SECONDS = env.float("KEEL_DELIVERY_WEBHOOK_SECONDS", default=10)
# How long a deployment handed over by webhook waits for the CD system's service.deployed report.
KEEL_DELIVERY_WEBHOOK_REPORT_SECONDS = env.float(
    "KEEL_DELIVERY_WEBHOOK_REPORT_SECONDS", default=600
)
# An external run with no event for this long is ended failed by the reaper (delivery.scheduling).
KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS = env.float(
    "KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS", default=3600
)
# DORA figures: the longest window asked for, in days.
KEEL_DORA_MAX_DAYS = env.int("KEEL_DORA_MAX_DAYS", default=365)
# One stage task (soft limit 30 s before it), and each command a stage runs (wall clock).
KEEL_DELIVERY_STAGE_TIME_LIMIT = env.int("KEEL_DELIVERY_STAGE_TIME_LIMIT", default=1800)
KEEL_DELIVERY_COMMAND_SECONDS = env.float("KEEL_DELIVERY_COMMAND_SECONDS", default=600)
# Limits of every process a stage starts (setrlimit): CPU seconds, address space, processes
# (counted per user by the kernel, and not enforced for root), size of any file written.
KEEL_DELIVERY_CPU_SECONDS = env.int("KEEL_DELIVERY_CPU_SECONDS", default=600)
KEEL_DELIVERY_MEMORY_BYTES = env.int("KEEL_DELIVERY_MEMORY_BYTES", default=4 * 1024**3)
KEEL_DELIVERY_MAX_PROCESSES = env.int("KEEL_DELIVERY_MAX_PROCESSES", default=4096)
KEEL_DELIVERY_MAX_FILE_BYTES = env.int("KEEL_DELIVERY_MAX_FILE_BYTES", default=1024**3)
# A stage's stored log: its first and last halves are kept, the middle is cut.
KEEL_DELIVERY_LOG_BYTES = env.int("KEEL_DELIVERY_LOG_BYTES", default=64 * 1024)
# A worker holds a running run through a lease its heartbeat renews; every worker's timer
# retries (up to KEEL_DELIVERY_MAX_ATTEMPTS) or fails a stage whose worker died.
KEEL_DELIVERY_LEASE_SECONDS = env.float("KEEL_DELIVERY_LEASE_SECONDS", default=30)
KEEL_DELIVERY_HEARTBEAT_SECONDS = env.float(
    "KEEL_DELIVERY_HEARTBEAT_SECONDS", default=KEEL_DELIVERY_LEASE_SECONDS / 3
)
KEEL_DELIVERY_REAP_SECONDS = env.float("KEEL_DELIVERY_REAP_SECONDS", default=10)
KEEL_DELIVERY_MAX_ATTEMPTS = env.int("KEEL_DELIVERY_MAX_ATTEMPTS", default=2)
# Where builds get dependencies: pip's default index, another index, or only a folder of
# wheels (no index at all).
KEEL_DELIVERY_PIP_INDEX_URL = env.str("KEEL_DELIVERY_PIP_INDEX_URL", default="")
KEEL_DELIVERY_PIP_FIND_LINKS = env.str("KEEL_DELIVERY_PIP_FIND_LINKS", default="")
# Bake (delivery/bake.py): how long Keel watches a staging release and how often, unless the
# pipeline definition's spec.bake says otherwise (at most KEEL_DELIVERY_BAKE_MAX_SECONDS, which
# stays under the stage time limit); the thresholds' defaults; below MIN_REQUESTS requests in
# the window the rates are not judged; HEALTH_FAILURES failed checks in a row = unhealthy.
KEEL_DELIVERY_BAKE_SECONDS = env.float("KEEL_DELIVERY_BAKE_SECONDS", default=600)
KEEL_DELIVERY_BAKE_INTERVAL_SECONDS = env.float("KEEL_DELIVERY_BAKE_INTERVAL_SECONDS", default=5)
KEEL_DELIVERY_BAKE_MAX_SECONDS = env.float("KEEL_DELIVERY_BAKE_MAX_SECONDS", default=1500)
KEEL_DELIVERY_BAKE_ERROR_RATE = env.float("KEEL_DELIVERY_BAKE_ERROR_RATE", default=0.01)
KEEL_DELIVERY_BAKE_THROTTLE_RATE = env.float("KEEL_DELIVERY_BAKE_THROTTLE_RATE", default=0.05)
KEEL_DELIVERY_BAKE_P99_MS = env.float("KEEL_DELIVERY_BAKE_P99_MS", default=500)
KEEL_DELIVERY_BAKE_MIN_REQUESTS = env.int("KEEL_DELIVERY_BAKE_MIN_REQUESTS", default=20)
KEEL_DELIVERY_BAKE_HEALTH_FAILURES = env.int("KEEL_DELIVERY_BAKE_HEALTH_FAILURES", default=3)
# Each health check or /metrics scrape: at most this long (connect to last byte) and this big.
KEEL_DELIVERY_BAKE_REQUEST_SECONDS = env.float("KEEL_DELIVERY_BAKE_REQUEST_SECONDS", default=5)
KEEL_DELIVERY_BAKE_METRICS_BYTES = env.int("KEEL_DELIVERY_BAKE_METRICS_BYTES", default=1024**2)
if (
    not 0
    < KEEL_DELIVERY_BAKE_SECONDS
    <= KEEL_DELIVERY_BAKE_MAX_SECONDS
    < KEEL_DELIVERY_STAGE_TIME_LIMIT
):
    raise ImproperlyConfigured(
        "KEEL_DELIVERY_BAKE_SECONDS must be at most KEEL_DELIVERY_BAKE_MAX_SECONDS, which must "
        "be under KEEL_DELIVERY_STAGE_TIME_LIMIT."
    )
# Deployments (delivery/targets/): the target an environment uses unless its pipeline
# definition names one (spec.environments.<name>.target), where the embedded target keeps
# each release's unpacked files and log, how long a new release has to answer <url>/healthz
# with 200, how large a release's log (any file it writes) may grow, and how long a deploy
# waits for another deploy to the same environment to finish.
KEEL_DELIVERY_TARGET = env.str("KEEL_DELIVERY_TARGET", default="embedded")
KEEL_DELIVERY_RELEASE_DIR = Path(
    env.str("KEEL_DELIVERY_RELEASE_DIR", default=str(DATA_DIR / "releases"))
).resolve()
KEEL_DELIVERY_HEALTH_SECONDS = env.float("KEEL_DELIVERY_HEALTH_SECONDS", default=30)
KEEL_DELIVERY_RELEASE_LOG_BYTES = env.int("KEEL_DELIVERY_RELEASE_LOG_BYTES", default=16 * 1024**2)
KEEL_DELIVERY_DEPLOY_WAIT_SECONDS = env.float("KEEL_DELIVERY_DEPLOY_WAIT_SECONDS", default=300)

# --- REST API -----------------------------------------------------------------------------
# How long a REST create's Idempotency-Key is remembered (portal/api/idempotency.py).
KEEL_IDEMPOTENCY_KEY_SECONDS = env.int("KEEL_IDEMPOTENCY_KEY_SECONDS", default=86_400)

REST_FRAMEWORK = {
    # The first class names the scheme of a 401's WWW-Authenticate header; sessions have no
    # scheme, so with them first an unauthenticated request was a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api.permissions.TokenScope",  # read-only tokens read
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
KEEL_API_MAX_PAGE_SIZE = env.int("KEEL_API_MAX_PAGE_SIZE", default=500)
# A request body holds at most one specification, JSON-escaped (which can double it).
KEEL_API_MAX_BODY_BYTES = env.int(
    "KEEL_API_MAX_BODY_BYTES", default=2 * KEEL_SPEC_MAX_BYTES + 64 * 1024
)
KEEL_API_MAX_JSON_DEPTH = env.int("KEEL_API_MAX_JSON_DEPTH", default=64)

# No response is cached. The cache holds the counters of refused tokens per address
# (accounts.throttle); a shared one (CACHE_URL=redis://...) counts across processes.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://keel")}

SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "Service catalog and ownership registry.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page serves Swagger UI from our own static files: the portal works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Three models have a "kind": give each its own enum name in the document.
    "ENUM_NAME_OVERRIDES": {
        "ServiceKindEnum": "catalog.models.Service.Kind",
        "ResourceKindEnum": "catalog.models.Resource.Kind",
        "DependencyKindEnum": "catalog.models.Dependency.Kind",
        "InterfaceEnum": "portal.models.Interface",
        "PipelineStageOutcomeEnum": "scaffolding.models.PipelineStage.Outcome",
        "TypeEnum": "catalog.models.Api.Type",  # the name it had before locations had a type
        "LocationTypeEnum": "descriptors.models.Location.Type",
        "ImportRunStatusEnum": "descriptors.models.ImportRun.Status",
        "PipelineRunStatusEnum": "delivery.models.PipelineRun.Status",  # delivery
        "PipelineRunTriggerEnum": "delivery.models.PipelineRun.Trigger",  # delivery
        "StageRunStatusEnum": "delivery.models.StageRun.Status",  # delivery
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_errors",
        "portal.api.schema.document_empty_query_values",
    ],
}

# --- GraphQL ------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "portal.graphql.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 500,
    "ATOMIC_MUTATIONS": False,
    # graphene-django adds its SQL-tracing middleware when DEBUG is on: it wraps every
    # resolver and, as the schema has no DjangoDebug field, leaves the connection's cursor
    # wrapped. The query-count tests and the benchmarks measure the real cursor.
    "MIDDLEWARE": [],
}
# Limits checked before validation (portal/graphql/limits.py). The cost counts each field once
# per item of the lists it is inside: `first`/`last` of a connection (default: the connection
# limit above), KEEL_GRAPHQL_LIST_SIZE for any other list.
KEEL_GRAPHQL_MAX_DEPTH = env.int("KEEL_GRAPHQL_MAX_DEPTH", default=10)
KEEL_GRAPHQL_MAX_ALIASES = env.int("KEEL_GRAPHQL_MAX_ALIASES", default=15)
KEEL_GRAPHQL_MAX_TOKENS = env.int("KEEL_GRAPHQL_MAX_TOKENS", default=2000)
# Validation compares same-named fields pairwise: 200 fields with arguments took 100 ms to
# validate, 100 take a quarter of that.
KEEL_GRAPHQL_MAX_FIELDS = env.int("KEEL_GRAPHQL_MAX_FIELDS", default=100)
KEEL_GRAPHQL_MAX_COST = env.int("KEEL_GRAPHQL_MAX_COST", default=50_000)
KEEL_GRAPHQL_LIST_SIZE = env.int("KEEL_GRAPHQL_LIST_SIZE", default=10)
# Development aids that publish the schema to anyone signed in; off in production, where
# tools read /graphql/schema.graphql.
KEEL_GRAPHQL_INTROSPECTION = env.bool("KEEL_GRAPHQL_INTROSPECTION", default=DEBUG)
KEEL_GRAPHIQL = env.bool("KEEL_GRAPHIQL", default=DEBUG)

# --- Celery -------------------------------------------------------------------------------
_BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Every worker also reaps on its own timer (scaffolding/worker.py): beat is optional.
    "scaffolding-reap-stalled-runs": {
        "task": "scaffolding.reap_stalled_runs",
        "schedule": KEEL_SCAFFOLD_REAP_SECONDS,
    },
    "descriptors-tick": {"task": "descriptors.tick", "schedule": KEEL_CATALOG_SYNC_TICK_SECONDS},
    "delivery-reap": {"task": "delivery.reap", "schedule": KEEL_DELIVERY_REAP_SECONDS},
}

# One handler on the root logger, and every logger propagates to it: Django's own defaults
# give "django" a console handler of its own, which printed each of its lines twice. The
# development server's request lines ("django.server") keep Django's handler and format.
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors": {"()": "portal.log_filters.ClientErrorsWithoutTraceback"},
        "request_id": {"()": "portal.request_id.RequestIdFilter"},
    },
    "formatters": {"plain": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors", "request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # django-axes logs every successful sign-in at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}
