"""Settings for the dealership customer-service system.

One module, driven by environment variables. The defaults run on a fresh machine: SQLite in
the project's data folder and a Celery broker on the file system (no server needed). Production
sets DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker, results and cache). A bad value
stops start-up with a message that names the variable (see dealership_cs/env.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dealership_cs.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_htmx",
    "bootstrap",
    # Our apps, bottom layer first (STYLE.md "How the apps stand").
    "dealership_cs",
    "surveys",
    "customers",
    "callbacks",
    "care_events",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dealership_cs.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dealership_cs.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dealership_cs.urls"
WSGI_APPLICATION = "dealership_cs.wsgi.application"
ASGI_APPLICATION = "dealership_cs.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dealership_cs.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the Celery worker writes; IMMEDIATE transactions
    # take the write lock up front so concurrent writers wait instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -------------------------------------------------------------

REDIS_URL = env_redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The longest task (a large OMD import) must finish well inside the hard limit, and the
# broker must not hand an unacknowledged task to another worker while it still runs:
# visibility timeout > hard time limit.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
CELERY_BROKER_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT * 2

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
else:
    # Embedded default: kombu's file-system transport, a real broker that needs no server, so
    # the worker process really receives the web process's tasks.
    CELERY_BROKER_DIR = DATA_DIR / "celery" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
    for _folder in ("queue", "control", "processed"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{DATA_DIR / 'celery' / 'results'}"

CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celery" / "beat-schedule")
# A worker running an OMD import beats its heartbeat every OMD_IMPORT_HEARTBEAT_SECONDS; every
# OMD_IMPORT_SWEEP_SECONDS a job hands an import not heard of for OMD_IMPORT_STALE_SECONDS (its
# worker was killed) back to the queue, long before the broker would redeliver its task.
OMD_IMPORT_HEARTBEAT_SECONDS = env_int("OMD_IMPORT_HEARTBEAT_SECONDS", 30, minimum=1)
OMD_IMPORT_STALE_SECONDS = env_int("OMD_IMPORT_STALE_SECONDS", 120, minimum=1)
OMD_IMPORT_SWEEP_SECONDS = env_int("OMD_IMPORT_SWEEP_SECONDS", 60, minimum=1)
if OMD_IMPORT_HEARTBEAT_SECONDS * 2 > OMD_IMPORT_STALE_SECONDS:
    raise ImproperlyConfigured("OMD_IMPORT_STALE_SECONDS must be at least twice OMD_IMPORT_HEARTBEAT_SECONDS.")
# The whole periodic schedule, reviewed in code. Nightly jobs run after the working day.
CELERY_BEAT_SCHEDULE = {
    "housekeeping-nightly": {
        "task": "dealership_cs.housekeeping",
        "schedule": crontab(hour=2, minute=0),
    },
    "accuracy-reconcile-nightly": {"task": "reports.accuracy_reconcile", "schedule": crontab(hour=2, minute=0)},
    # The callback desk's queue for the day: new calls due, lapsed ones expired, stale held work to the pool.
    "callbacks-generate-nightly": {"task": "callbacks.generate", "schedule": crontab(hour=2, minute=0)},
    # The OMD imports' working copies (staged rows) of imports finished a week ago.
    "omd-staged-prune-nightly": {"task": "customers.omd_prune_staged", "schedule": crontab(hour=3, minute=0)},
    # OMD imports whose worker died in the middle go back to the queue (or fail after their attempts).
    "omd-requeue-stale": {
        "task": "customers.omd_requeue_stale",
        "schedule": timedelta(seconds=OMD_IMPORT_SWEEP_SECONDS),
    },
}

# --- Authentication and sessions ---------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A working day; the expiry slides with activity so nobody is logged out mid-call.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Security (on whenever DEBUG is off) -------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language, time zone, formats ---------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself: no CDN, intranet-safe) ----------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# Upper bound for any uploaded spreadsheet (archives, OMD exports, score sheets).
SPREADSHEET_MAX_BYTES = env_int("SPREADSHEET_MAX_MB", 50, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dealership_cs.permissions.RoleModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "dealership_cs.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dealership customer-service API",
    "DESCRIPTION": "Customer records, official scores, OMD imports, callbacks, care and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across models get their own names in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CallbackTaskStatusEnum": "callbacks.models.CallbackTask.Status",
        "ComplaintStatusEnum": "callbacks.models.Complaint.Status",
        "ComplaintDepartmentEnum": "callbacks.models.Complaint.Department",
        "CallOutcomeEnum": "callbacks.models.CallOutcome",
        "CallbackKindEnum": "callbacks.models.CallbackKind",
        "ReminderKindEnum": "callbacks.models.rules.REMINDER_KIND_CHOICES",
        "ComplaintSourceEnum": "callbacks.models.Complaint.Source",
        "CareActivityKindEnum": "care_events.models.CareActivity.Kind",
        "KpiSourceEnum": "care_events.models.Kpi.Source",
    },
}

# --- Logging -----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
