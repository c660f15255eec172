"""One settings module. Everything a self-hoster changes comes from FAHUO_* environment variables.

FAHUO_DATA_DIR       where the SQLite files, uploads and the secret key live (default ./fahuo-data)
FAHUO_DATABASE_URL   e.g. postgresql://user@127.0.0.1:5432/fahuo (default: SQLite file in the data dir)
FAHUO_REDIS_URL      when set, jobs go to Redis instead of the SQLite queue
FAHUO_SECRET_KEY     default: generated once into the data dir
FAHUO_DEBUG          1 for development
FAHUO_ALLOWED_HOSTS  comma separated (default *)
FAHUO_JOBS_IMMEDIATE 1 runs jobs in the caller (tests)
FAHUO_PROMISED_HOURS default ship-by promise when the platform gives no 最晚发货时间 (48)
FAHUO_PUBLIC_URL     this box's address from the internet; with FAHUO_KUAIDI100_SALT parcels are subscribed for pushes
FAHUO_TRACKING_SOURCE kuaidi100 | none (default: kuaidi100 when FAHUO_KUAIDI100_KEY and _CUSTOMER are set)
FAHUO_TRACKING_SAFETY_POLL_HOURS  poll a push-subscribed parcel when no event came for this long (12)
FAHUO_SANDBOX_POLL_MINUTES        how often a 演示快递 parcel may be polled (30)
FAHUO_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS (1|starttls|ssl), FAHUO_MAIL_FROM   e-mail notifications
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FAHUO_DATA_DIR", "fahuo-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
UPLOAD_DIR = DATA_DIR / "uploads"


def _secret_key() -> str:
    if key := os.environ.get("FAHUO_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("FAHUO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("FAHUO_ALLOWED_HOSTS", "*").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FAHUO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "fahuo.core",
    "fahuo.inventory",
    "fahuo.orders",
    "fahuo.carriers",
    "fahuo.fulfilment",
    "fahuo.tracking",
    "fahuo.notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "fahuo.urls"
WSGI_APPLICATION = "fahuo.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "fahuo.core.context.fahuo_context",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("FAHUO_DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.update(_SQLITE_EXTRA)
        return db
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "fahuo.sqlite3"), **_SQLITE_EXTRA}


# WAL so readers never wait for the writer; IMMEDIATE so a write transaction takes the write lock at BEGIN
# (a deferred one that upgrades later fails with "database is locked" instead of waiting: see ADR 0003).
_SQLITE_EXTRA = {
    "OPTIONS": {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    },
    "TEST": {"NAME": str(DATA_DIR / "test-fahuo.sqlite3")},
}

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_MIMETYPES = {".wasm": "application/wasm"}

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it into X-CSRFToken
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Jobs: huey. SQLite queue in the data dir by default, Redis when FAHUO_REDIS_URL is set.
_redis = os.environ.get("FAHUO_REDIS_URL")
HUEY = {
    "name": "fahuo",
    "immediate": os.environ.get("FAHUO_JOBS_IMMEDIATE") == "1",
    "utc": True,
    "results": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if _redis:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")})

FAHUO_PROMISED_HOURS = int(os.environ.get("FAHUO_PROMISED_HOURS", "48"))

# E-mail notifications (notify app): SMTP from FAHUO_SMTP_HOST/PORT/USER/PASSWORD/TLS and FAHUO_MAIL_FROM
EMAIL_HOST = os.environ.get("FAHUO_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("FAHUO_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("FAHUO_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("FAHUO_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("FAHUO_SMTP_TLS", "") == "starttls" or os.environ.get("FAHUO_SMTP_TLS") == "1"
EMAIL_USE_SSL = os.environ.get("FAHUO_SMTP_TLS", "") == "ssl"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("FAHUO_MAIL_FROM", "fahuo@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FAHUO_LOG_LEVEL", "WARNING")},
}
