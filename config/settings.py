"""All of shuraba's settings, read from the environment. Every variable is documented in docs/operations.md."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def data_dir_resolve(value: str | None, *, root: Path) -> Path:
    """SHURABA_DATA_DIR: unset or empty is `var` in the checkout; a relative path is taken from the checkout,
    never from the working directory. Inside the checkout only a folder named `var` (git ignores those) may
    hold the database and the secret key: anywhere else there they would be one `git add` from public."""
    path = (root / value.strip()).resolve() if value and value.strip() else root / "var"
    if path.is_relative_to(root) and "var" not in path.relative_to(root).parts:
        raise ImproperlyConfigured(
            f"SHURABA_DATA_DIR must be a folder outside the checkout or under its var/, got {value!r}, which is "
            f"{path}, where the database and secret key would be committed (unset or empty: {root / 'var'})"
        )
    return path


DATA_DIR = data_dir_resolve(os.environ.get("SHURABA_DATA_DIR"), root=BASE_DIR)


BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() not in BOOLEANS:
        raise ImproperlyConfigured(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), got {value[:40]!r}")
    return BOOLEANS[value.strip().lower()]


MAX_HSTS_SECONDS = 2 * 365 * 24 * 3600  # two years, the preload list's recommendation; more is a typo


def _hsts_seconds() -> int:
    """SHURABA_HSTS_SECONDS: how long browsers must come back over HTTPS only (0: no HSTS header)."""
    value = os.environ.get("SHURABA_HSTS_SECONDS", "0").strip() or "0"
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_HSTS_SECONDS):
        raise ImproperlyConfigured(
            f"SHURABA_HSTS_SECONDS must be a whole number of seconds from 0 to {MAX_HSTS_SECONDS} "
            f"(31536000 is a year), got {value[:40]!r}"
        )
    return int(value)


def _proxy_ssl_header() -> tuple[str, str] | None:
    """SHURABA_PROXY_SSL_HEADER: the header the TLS proxy sets to `https` (`X-Forwarded-Proto`), as Django's
    SECURE_PROXY_SSL_HEADER (("HTTP_X_FORWARDED_PROTO", "https")). Trust it only behind a proxy that sets it."""
    value = os.environ.get("SHURABA_PROXY_SSL_HEADER", "").strip()
    if not value:
        return None
    name, _, expected = (part.strip() for part in value.partition(":"))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", name) or not re.fullmatch(r"[a-z]{0,16}", expected):
        raise ImproperlyConfigured(
            f"SHURABA_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, optionally with the value "
            f"that means HTTPS (X-Forwarded-Proto: https, the default value), got {value[:40]!r}"
        )
    return "HTTP_" + name.upper().replace("-", "_"), expected or "https"


MIN_SEARCH_CACHE_MB = 16  # below this the joined names and sort orders would be rebuilt on every search


def _search_cache_bytes() -> int:
    """SHURABA_SEARCH_CACHE_MB: memory for what the search index derives and remembers (per worker)."""
    value = os.environ.get("SHURABA_SEARCH_CACHE_MB", "256").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 6 and int(value) >= MIN_SEARCH_CACHE_MB):
        raise ImproperlyConfigured(
            f"SHURABA_SEARCH_CACHE_MB must be a whole number of megabytes, at least {MIN_SEARCH_CACHE_MB}, "
            f"got {value[:40]!r}"
        )
    return int(value) * 1024 * 1024


def _secret_key() -> str:
    """An explicit key wins; otherwise one is generated once and kept in the data directory."""
    key = os.environ.get("SHURABA_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written aside and linked into place: processes starting together (gunicorn's workers, the test
        # suite's) never read a half-written key, and the first link wins for all of them.
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        aside = DATA_DIR / f"secret_key.{os.getpid()}"
        aside.write_text(secrets.token_urlsafe(50))
        aside.chmod(0o600)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SHURABA_DEBUG", default=False)
SEARCH_CACHE_BYTES = _search_cache_bytes()
# Off: every search is answered afresh (the benchmarks' cold runs); derived columns are still kept.
SEARCH_CACHE_RESULTS = _env_bool("SHURABA_SEARCH_CACHE_RESULTS", default=True)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("SHURABA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("SHURABA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "axes",
    "ninja",  # serves the Swagger UI assets itself instead of from a CDN
    "django_htmx",
    "shuraba.core",
    "shuraba.taxonomy",
    "shuraba.catalog",
    "shuraba.accounts",
    "shuraba.editorial",
    "shuraba.search",
    "shuraba.importers",
    "shuraba.library",
    "shuraba.reviews",
    "shuraba.lists",
    "shuraba.pairs",
    "shuraba.preferences",
    "shuraba.recommend",
    "shuraba.feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shuraba.core.middleware.HeadAsGetMiddleware",
    "shuraba.core.middleware.PrivateCacheMiddleware",  # above the session's, which adds Vary: Cookie
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shuraba.accounts.middleware.RulesKeptMiddleware",  # below the session: its response runs first
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shuraba.accounts.tokens.TokenMiddleware",  # after the session's user: a bearer token on /api/ replaces it
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shuraba.core.middleware.BadQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: it turns a locked-out request into the 429 page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Axes first: a locked-out login is refused before any password is checked. allauth's backend signs in by
# username or email; Django's serves the admin and `Client.force_login`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shuraba" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuraba.accounts.context_processors.viewer",
                "shuraba.core.context_processors.page_url",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return {"default": dict(dj_database_url.parse(url, conn_max_age=60))}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "shuraba.sqlite3"),
            "OPTIONS": {
                # WAL lets readers go on while the single writer writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# accounts/hashers.py: argon2id at OWASP's setting; the others read hashes made before, which are upgraded
# at the next sign-in.
PASSWORD_HASHERS = [
    "shuraba.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SHURABA_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline
# script, style or eval anywhere (htmx is configured not to need them: base.html's htmx-config). Images may
# be data: URLs, which the admin's and Swagger UI's stylesheets use for their icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
SECURE_HSTS_SECONDS = _hsts_seconds()
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SHURABA_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = _env_bool("SHURABA_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = _env_bool("SHURABA_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()


def env_choice(name: str, value: str | None, *, choices: tuple[str, ...], default: str) -> str:
    """A setting with a few allowed words; unset or empty is the default."""
    word = (value or "").strip().lower() or default
    if word not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {word[:40]!r}")
    return word


def env_int(name: str, value: str | None, *, default: int, lowest: int, highest: int) -> int:
    """A whole number in [lowest, highest]; unset or empty is the default."""
    text = (value or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and lowest <= int(text) <= highest):
        raise ImproperlyConfigured(f"{name} must be a whole number from {lowest} to {highest}, got {text[:40]!r}")
    return int(text)


# --- accounts (django-allauth) ----------------------------------------------------------------------

# "optional" by default, so an install whose mail goes to the console can sign readers up at once.
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "SHURABA_EMAIL_VERIFICATION",
    os.environ.get("SHURABA_EMAIL_VERIFICATION"),
    choices=("none", "optional", "mandatory"),
    default="optional",
)
# No form says whether an email has an account. With mandatory verification allauth answers a taken
# address with the same "check your email" page; otherwise "strict" lets a second account sign up with
# the same unverified address rather than say it is taken (allauth's documented trade-off).
ACCOUNT_PREVENT_ENUMERATION: bool | str = True if ACCOUNT_EMAIL_VERIFICATION == "mandatory" else "strict"
ACCOUNT_LOGIN_METHODS = {"username", "email"}  # editors made by createsuperuser may have no email
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[shuraba] "
ACCOUNT_ADAPTER = "shuraba.accounts.adapter.AccountAdapter"  # merges the session's choices at sign-in
# allauth's own limits stay (sign-ups, reset mails) but failed logins per name are axes' to count below,
# so a locked-out reader meets one rule and one page; allauth keeps a per-address burst limit.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}

# Mail goes to the console (the server log) unless an SMTP host is set.
EMAIL_HOST = os.environ.get("SHURABA_EMAIL_HOST", "").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("SHURABA_EMAIL_PORT", os.environ.get("SHURABA_EMAIL_PORT"), default=587, lowest=1, highest=65535)
EMAIL_HOST_USER = os.environ.get("SHURABA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHURABA_EMAIL_PASSWORD", "")
_EMAIL_SECURITY = env_choice(
    "SHURABA_EMAIL_SECURITY",
    os.environ.get("SHURABA_EMAIL_SECURITY"),
    choices=("starttls", "ssl", "none"),
    default="starttls",
)
EMAIL_USE_TLS = _EMAIL_SECURITY == "starttls"
EMAIL_USE_SSL = _EMAIL_SECURITY == "ssl"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("SHURABA_EMAIL_FROM", "").strip() or "shuraba <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Login throttling (django-axes), on every login form (the site's and the admin's): after this many failed
# attempts for one username from one address, that pair is refused for the cool-off period, even with
# the right password. Keyed by the pair, so a stranger cannot lock a reader out from everywhere.
# Library imports: a list file (MAL XML, gzipped or not, or AniList JSON) up to this size, decompressed too.
LIBRARY_IMPORT_MAX_BYTES = 20_000_000
# Unmatched imported entries with a MAL or AniList id may be fetched from that catalog on a reader's request.
LIBRARY_FETCH_MISSING = _env_bool("SHURABA_LIBRARY_FETCH_MISSING", default=False)

# Reviews: a reader's review is published at once only when their account is at least this many days old and
# an editor has approved one of their reviews before (editors' own: always); otherwise it waits in the queue.
REVIEW_TRUST_DAYS = env_int(
    "SHURABA_REVIEW_TRUST_DAYS", os.environ.get("SHURABA_REVIEW_TRUST_DAYS"), default=7, lowest=0, highest=3650
)
# Community classification votes (reviews/consensus.py): a ballot counts once its account is this many days
# old, and nothing is decided below this many eligible voters on an axis.
VOTE_ACCOUNT_DAYS = env_int(
    "SHURABA_VOTE_ACCOUNT_DAYS", os.environ.get("SHURABA_VOTE_ACCOUNT_DAYS"), default=7, lowest=0, highest=3650
)
VOTE_MIN_VOTERS = env_int(
    "SHURABA_VOTE_MIN_VOTERS", os.environ.get("SHURABA_VOTE_MIN_VOTERS"), default=5, lowest=1, highest=10_000
)
# Rate limits on readers' review writes (counted in the database, so every worker agrees): review writes
# (new or edited) per hour, reports per day, helpfulness votes per hour.
REVIEW_WRITES_PER_HOUR = env_int(
    "SHURABA_REVIEW_WRITES_PER_HOUR",
    os.environ.get("SHURABA_REVIEW_WRITES_PER_HOUR"),
    default=10,
    lowest=1,
    highest=10_000,
)
REVIEW_REPORTS_PER_DAY = env_int(
    "SHURABA_REVIEW_REPORTS_PER_DAY",
    os.environ.get("SHURABA_REVIEW_REPORTS_PER_DAY"),
    default=20,
    lowest=1,
    highest=10_000,
)
REVIEW_VOTES_PER_HOUR = env_int(
    "SHURABA_REVIEW_VOTES_PER_HOUR",
    os.environ.get("SHURABA_REVIEW_VOTES_PER_HOUR"),
    default=200,
    lowest=1,
    highest=100_000,
)
# Rate limits on reading lists (counted in the database): lists a reader makes per day, suggestions to
# others' lists per day.
LISTS_PER_DAY = env_int(
    "SHURABA_LISTS_PER_DAY", os.environ.get("SHURABA_LISTS_PER_DAY"), default=20, lowest=1, highest=10_000
)
LIST_SUGGESTIONS_PER_DAY = env_int(
    "SHURABA_LIST_SUGGESTIONS_PER_DAY",
    os.environ.get("SHURABA_LIST_SUGGESTIONS_PER_DAY"),
    default=30,
    lowest=1,
    highest=10_000,
)
# "If you liked X, try Y" pairs a reader proposes (or whose reason they write) per day.
PAIRS_PER_DAY = env_int(
    "SHURABA_PAIRS_PER_DAY", os.environ.get("SHURABA_PAIRS_PER_DAY"), default=20, lowest=1, highest=10_000
)

AXES_FAILURE_LIMIT = env_int(
    "SHURABA_LOGIN_FAILURE_LIMIT", os.environ.get("SHURABA_LOGIN_FAILURE_LIMIT"), default=5, lowest=1, highest=1000
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int(
        "SHURABA_LOGIN_COOLOFF_MINUTES",
        os.environ.get("SHURABA_LOGIN_COOLOFF_MINUTES"),
        default=15,
        lowest=1,
        highest=7 * 24 * 60,
    )
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "shuraba.accounts.throttle.login_name"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHURABA_LOG_LEVEL", "INFO")},
}
