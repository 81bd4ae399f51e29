"""Settings, driven by environment variables so one build serves a laptop and a province.

WENXIAO_DATABASE_URL  database (default: SQLite file under WENXIAO_DATA_DIR)
WENXIAO_DATA_DIR      where the SQLite file, uploads and exports live (default: ./var)
WENXIAO_SECRET_KEY    Django secret key (default: a key kept in WENXIAO_DATA_DIR/secret.key)
WENXIAO_DEBUG         "1" to turn on debug pages
WENXIAO_ALLOWED_HOSTS comma-separated host names (default: localhost names)
WENXIAO_FISCAL_YEAR   the budget year pages open on (default: the year of the seeded data, else this year)
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("WENXIAO_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("WENXIAO_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("WENXIAO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("WENXIAO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "wenxiao.core",
    "wenxiao.orgs",
    "wenxiao.catalog",
    "wenxiao.projects",
    "wenxiao.library",
    "wenxiao.targets",
    "wenxiao.appraisal",
    "wenxiao.monitoring",
    "wenxiao.partners",
    "wenxiao.evaluation",
    "wenxiao.oversight",
    "wenxiao.results",
    "wenxiao.disclosure",
    "wenxiao.cockpit",
    "wenxiao.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wenxiao.core.security.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wenxiao.core.security.IdleTimeoutMiddleware",
    "wenxiao.core.security.SecondFactorMiddleware",
    "wenxiao.core.security.PasswordExpiryMiddleware",
    "wenxiao.core.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "wenxiao.urls"
WSGI_APPLICATION = "wenxiao.wsgi.application"

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
                "wenxiao.core.context_processors.shell",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'wenxiao.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("WENXIAO_DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing half-way; the timeout is how long a writer waits for the lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# One connection per worker process, kept between requests (opening SQLite and running the PRAGMAs, or a
# PostgreSQL handshake, on every request cost more than many a page's queries). dj_database_url sets 0 itself.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "wenxiao.core.security.CharacterClassesValidator"},
    {"NAME": "wenxiao.core.security.HistoryValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "files"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

# The budget year most pages open on; the seed writes data for it.
FISCAL_YEAR = int(os.environ.get("WENXIAO_FISCAL_YEAR", "2026"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WENXIAO_LOG_LEVEL", "WARNING")},
}
