"""Settings for Mans konts, read from the environment.

Local runs need nothing set: an embedded PostgreSQL (pgserver), eager Celery, files on disk, emails on
the console. Production (DEBUG=0) refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from manskonts.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    SECRET_KEY = "local-development-only-not-a-secret-" + "x" * 32

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the portal, used in emails and payment callbacks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # Django's admin, asking staff for a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the admin, read through FORM_RENDERER
    "django_filters",
    "ninja",  # the API's Swagger UI from the package's own static files, never a CDN (api/v1.py)
    "rangefilter",  # date ranges on the admin lists (manskonts/admin_filters.py)
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "accounts",
    "orders",
    "eservices",
    "billing",
    "documents",
    "notifications",
    "outbox",
    "manskonts",
    "auditlog",  # after manskonts, whose admin and commands override its own (manskonts/audit.py)
    "requisitions",  # requests from VZD: above documents, below portal
    "conversations",  # messages with VZD on orders and e-services: beside requisitions
    "portal",  # the top layer: pages composing several apps (overview, order page)
    "demo",  # the top layer: seed_demo; nothing imports it
    "api",  # the top layer: /api/v1/ and the API piekļuve page (docs/api.md)
]

MIDDLEWARE = [
    "manskonts.request_log.RequestLogMiddleware",
    "manskonts.nul_guard.NulGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # /api/ reads no cookie (no session, so no CSRF) and speaks Accept-Language (api/middleware.py).
    "api.middleware.ApiCookiesMiddleware",
    "accounts.sessions.IdleSessionMiddleware",
    "manskonts.locale.CookieLocaleMiddleware",
    "api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "manskonts.audit.AuditMiddleware",
    # Before anything reads a body: refuses one over the limit of its URL (manskonts/uploads.py).
    "manskonts.uploads.BodyLimitMiddleware",
    "accounts.middleware.ActingForMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked staff sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "manskonts.urls"
# Every form field on a portal page is a GOV.UK form group (templates/forms/govuk/, manskonts/forms.py).
FORM_RENDERER = "manskonts.forms.GovukFormRenderer"
WSGI_APPLICATION = "manskonts.wsgi.application"

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
                "accounts.context_processors.acting_for",
            ],
            "builtins": ["manskonts.templatetags.manskonts"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    if not DEBUG:
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG=0.")
    from manskonts.embedded_db import data_dir, database_settings

    # Started at the first connection, not here (check, compilemessages… need none); it keeps
    # running for the next command (`make stop` stops it), except one a test run started.
    DATABASES = {"default": database_settings(data_dir(), keep_running=not TESTING)}
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Streaming replicas of DATABASE_URL that take the read-only queries of pages (manskonts/replicas.py,
# docs/replicas.md). A test run uses none, whatever the environment says.
DATABASE_REPLICAS = []
for _number, _url in enumerate([] if TESTING else env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=60)
    # A replica that is down costs a page at most this long, then is left alone for a while.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    _replica["CONN_HEALTH_CHECKS"] = True
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
# A replica that lags more than this many seconds is not read from until it has caught up.
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 2, minimum=0)
# After a browser's request wrote, its reads go to the primary this long (read-your-writes); it must
# outlast the largest lag a replica in use may have (the lag is checked once a second).
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5, minimum=1)
if DATABASE_REPLICA_PIN_SECONDS < DATABASE_REPLICA_MAX_LAG + 1:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_PIN_SECONDS must be at least DATABASE_REPLICA_MAX_LAG + 1."
    )
# A replica that could not be reached is left alone this long, each web process on its own.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30, minimum=1)
DATABASE_ROUTERS = []
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["manskonts.replicas.ReplicaRouter"]
    # Early, before anything reads the database: gives the request its route.
    MIDDLEWARE.insert(1, "manskonts.replicas.ReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "manskonts.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "manskonts"),
            # A Redis that is down or paused fails a cache call in a second, never hangs a page.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without Redis there is no worker: tasks run in the calling process so local runs still work.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Redis re-delivers an unacknowledged task after this long; it must exceed the longest task.
# A broker that is down or paused answers a publish with an error within about a second (each
# socket operation times out after 0.5 s; a failed publish also closes its connection, one more
# operation), never hangs a page: tasks are sent through the outbox (outbox/relay.py), which
# keeps what the broker missed and publishes it by the minute sweep. A live Redis answers in ms.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# Workers and beat keep reconnecting while the broker is away, however long.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishes not made by the outbox (beat, worker retries): one quick retry, then the error.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1}}
CELERY_TIMEZONE = "Europe/Riga"
CELERY_TASK_DEFAULT_QUEUE = "manskonts"
# One queue per kind of work, each with its own workers (docker-compose.yml), so a burst of heavy
# exports never delays an email or the purge. Unrouted tasks go to the default queue, which the
# maintenance workers also consume.
CELERY_TASK_ROUTES = {
    "eservices.tasks.*": {"queue": "exports"},
    "notifications.tasks.*": {"queue": "emails"},
    "accounts.tasks.*": {"queue": "emails"},
    "conversations.tasks.*": {"queue": "emails"},  # VZD told of a client's message
    "documents.tasks.*": {"queue": "maintenance"},
    "billing.tasks.*": {"queue": "maintenance"},
    "requisitions.tasks.*": {"queue": "maintenance"},
    "outbox.tasks.*": {"queue": "maintenance"},
}
CELERY_BEAT_SCHEDULE = {
    # Daily at 02:30 Riga time: delete e-service files kept longer than FILE_RETENTION_DAYS.
    "purge-expired-files": {
        "task": "documents.tasks.purge_expired_files",
        "schedule": crontab(hour=2, minute=30),
    },
    # Daily at 08:00: remind clients of files that expire within FILE_EXPIRY_REMINDER_DAYS.
    "remind-expiring-files": {
        "task": "documents.tasks.remind_expiring_files",
        "schedule": crontab(hour=8, minute=0),
    },
    # Daily at 00:15: requests whose reply deadline passed yesterday become "Termiņš beidzies" (on
    # the desk); those past their service's "pārtraukt automātiski" days are terminated.
    "expire-requests": {
        "task": "requisitions.tasks.expire_requests",
        "schedule": crontab(hour=0, minute=15),
    },
    # Daily at 08:00: remind clients of requests due in 7 days and in 1 day (once per deadline).
    "remind-requests": {
        "task": "requisitions.tasks.remind_requests",
        "schedule": crontab(hour=8, minute=0),
    },
    # Daily at 08:10: remind clients of unpaid prepayment invoices due within
    # INVOICE_DUE_REMINDER_DAYS (once per due date); past-due ones are on the desk.
    "remind-invoices-due": {
        "task": "billing.tasks.remind_invoices_due",
        "schedule": crontab(hour=8, minute=10),
    },
    # Every minute: resume (or, after EXPORT_MAX_ATTEMPTS, fail) Excel exports whose worker died
    # (lease expired), and hand waiting exports whose turn has come to the broker again.
    "recover-exports": {
        "task": "eservices.tasks.recover_exports",
        "schedule": 60.0,
    },
    # Every minute: publish the outbox messages the broker missed (down or paused at commit).
    # A sweep not started within 50 s is dropped: the next one does the same work.
    "relay-outbox": {
        "task": "outbox.tasks.relay_pending",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
}
# How many calendar days before its due date an unpaid prepayment invoice is reminded of.
INVOICE_DUE_REMINDER_DAYS = env_int("INVOICE_DUE_REMINDER_DAYS", 3, minimum=1)
# Background Excel exports: the lease a worker holds (renewed every 10,000 rows), how many times a
# job is started before it is failed, and how long a ready file is kept (then the purge deletes it).
EXPORT_LEASE_SECONDS = env_int("EXPORT_LEASE_SECONDS", 120, minimum=1)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3, minimum=1)
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7, minimum=1)
# An e-service report of up to this many rows downloads at once; a larger one is a background job.
ESERVICE_EXPORT_DIRECT_LIMIT = env_int("ESERVICE_EXPORT_DIRECT_LIMIT", 5000, minimum=1)

# --- Files ----------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            # A pre-signed download URL is issued only after the access check and lives a minute.
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
FILE_UPLOAD_MAX_FILES = env_int("FILE_UPLOAD_MAX_FILES", 10, minimum=1)
FILE_RETENTION_DAYS = 90
# Where VZD is emailed of a client's message while no clerk is assigned to its conversation
# (empty: nobody; the desk's "Neatbildētas klientu ziņas" counts it either way).
CONVERSATIONS_STAFF_EMAIL = env_str("CONVERSATIONS_STAFF_EMAIL")
FILE_EXPIRY_REMINDER_DAYS = 7
# Signed documents (signatures/, docs/signatures.md): a folder of PEM/DER certificates trusted as
# the roots of signers and time-stamp authorities; empty trusts none. Nothing is fetched.
SIGNATURE_TRUST_STORE = env_str("SIGNATURE_TRUST_STORE")
# Request bodies (manskonts/uploads.py): only these URLs take files, each with (largest file,
# most files); any other request, and any signed-out one, sends at most 64 kB and no file, kept in
# memory. The reverse proxy's body limit in production (README) sits just above the largest.
UPLOAD_URL_LIMITS = {
    "documents:upload_order": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),
    "documents:upload_eservice": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),
    "requisitions:answer": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),  # the client's answer
    "accounts:application_create": (10 * 1024 * 1024, 1),  # accounts.forms: 10 MB, one document
    "admin:orders_orderpart_change": (FILE_UPLOAD_MAX_BYTES, 10),  # ResultUploadInline.max_num
    "admin:eservices_eservice_change": (FILE_UPLOAD_MAX_BYTES, 10),
    "admin:billing_bankstatement_add": (20 * 1024 * 1024, 1),  # billing.camt.MAX_BYTES
    # conversations.services.MAX_ATTACHMENTS files with a message, from the client and VZD
    "conversations:order": (FILE_UPLOAD_MAX_BYTES, 5),
    "conversations:eservice": (FILE_UPLOAD_MAX_BYTES, 5),
    "conversations:ask": (FILE_UPLOAD_MAX_BYTES, 5),
    "admin:conversations_thread_change": (FILE_UPLOAD_MAX_BYTES, 5),
    "admin:conversations_thread_add": (FILE_UPLOAD_MAX_BYTES, 5),
    # The client API's uploads (api/uploads.py), as the pages': a token with documents:write.
    "api-v1:upload_order_documents": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),
    "api-v1:upload_eservice_documents": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),
    # A client's message through the API (api/messages.py), as the thread page's: messages:write.
    "api-v1:order_messages": (FILE_UPLOAD_MAX_BYTES, 5),
    "api-v1:eservice_messages": (FILE_UPLOAD_MAX_BYTES, 5),
    # A client's answer to a request through the API (api/requests.py), as the answer page's.
    "api-v1:answer_request": (FILE_UPLOAD_MAX_BYTES, FILE_UPLOAD_MAX_FILES),
    # VZD's case system attaching results (api/backoffice.py): as the admin's result inline.
    "api-v1:attach_results": (FILE_UPLOAD_MAX_BYTES, 10),
    "api-v1:attach_eservice_results": (FILE_UPLOAD_MAX_BYTES, 10),
    # VZD's replies through it (api/backoffice_messages.py), as the admin's thread reply.
    "api-v1:back_office_order_message": (FILE_UPLOAD_MAX_BYTES, 5),
    "api-v1:back_office_eservice_message": (FILE_UPLOAD_MAX_BYTES, 5),
}
# The admin's upload URLs take files only from staff past the second factor.
UPLOAD_STAFF_READY = "accounts.two_factor.second_factor_done"
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
FILE_UPLOAD_HANDLERS = [
    "manskonts.uploads.LimitedUploadHandler",  # first: stops an upload at its limits
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Where uploads over 2.5 MB are spooled while the request lasts (default: the system's temp dir).
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None
# Django's own count, a net behind the handler's (which stops at 100 and tells the form).
DATA_UPLOAD_MAX_NUMBER_FILES = 101

# --- Email ----------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mans konts <noreply@manskonts.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- People and sessions --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# In this order: the staff sign-in throttle (django-axes, below) first, then passwords (staff),
# then the state identity service (OIDC, below) for people.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the session user with the page header in one statement.
    "accounts.backends.SessionUserBackend",
    "accounts.oidc.PersonalCodeOIDCBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database so that sign-out and removal of access end them server-side.
# Idle timeout: activity renews the 30 minutes (at most one write a minute, accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# The demo identity provider lists invented persons to sign in as. Never in production.
DEMO_IDP_ENABLED = env_bool("DEMO_IDP_ENABLED", default=DEBUG)
if DEMO_IDP_ENABLED and not DEBUG:
    raise ImproperlyConfigured("DEMO_IDP_ENABLED must be off when DEBUG=0.")

# The state identity service over OpenID Connect (accounts/oidc.py); off while OIDC_OP_ISSUER is unset.
# Endpoints come from the issuer's discovery document; the personal-code claim reads "PK:<code>".
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
if OIDC_OP_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_OP_ISSUER needs OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET.")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid profile")
OIDC_PERSONAL_CODE_CLAIM = env_str("OIDC_PERSONAL_CODE_CLAIM", "sub")
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # kept in the server-side session as the hint for signing out there
OIDC_TIMEOUT = 10

# Staff admin sign-in throttle (django-axes, accounts/staff_signin.py): 10 failures lock that
# username at that address for 5 minutes; the same person elsewhere still gets in. Counted in the
# database (works with Redis down), serialised per pair by an advisory lock.
AXES_HANDLER = "accounts.staff_signin.StaffSignInHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ONLY_ADMIN_SITE = True
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "manskonts.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.staff_signin.lockout_response"
# Axes' access log would keep every sign-in's username, and clients' usernames hold personal codes.
AXES_DISABLE_ACCESS_LOG = True

# Staff two-factor sign-in (accounts/two_factor.py): after the password, a code from an authenticator
# app, a passkey or a recovery code. Required for every staff account; with DEBUG=0 a system check
# refuses STAFF_OTP_REQUIRED=0 and any exempt account. Locally the seed_demo staff may skip it.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", default=True)
STAFF_OTP_EXEMPT_USERNAMES = env_list(
    "STAFF_OTP_EXEMPT_USERNAMES", ["darbinieks", "admin"] if DEBUG else []
)
OTP_TOTP_ISSUER = "Mans konts (VZD)"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys belong to the site's host name; a browser allows them only on https (or localhost).
_site = urlsplit(SITE_URL)
_local_site = _site.hostname in {"127.0.0.1", "localhost"}
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID", "localhost" if _local_site else _site.hostname)
OTP_WEBAUTHN_RP_NAME = "Mans konts"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    [f"http://localhost:{_site.port or 80}"] if _local_site else [SITE_URL],
)
# A passkey is a second factor after the password here, never a sign-in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, the header is
# ignored). The client's address for the sign-in throttle and logs: manskonts/client_address.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latviešu")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "manskonts_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Riga"
FORMAT_MODULE_PATH = ["manskonts.formats"]

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# JSON lines in production (one object per line, for the log collector); readable text locally.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "manskonts.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
        # Their warnings name certificate subjects, personal codes included (signatures/ keeps
        # what staff need in its report, the codes out of it).
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# --- Audit trail ----------------------------------------------------------------------------------
# django-auditlog: old and new value of every field, the actor, the time, the address (manskonts/
# audit.py). Kept like the accounting records: never purged. tests/manskonts/test_audit.py makes
# every model of the project's apps either listed here or named as not audited, with the reason.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "accounts.user",
        "exclude_fields": ["last_login"],
        "mask_fields": ["password"],
        "mask_callable": "manskonts.audit.hidden",
        "m2m_fields": ["groups", "user_permissions"],
    },
    {"model": "auth.group", "m2m_fields": ["permissions"]},
    # Staff two-factor devices: enrolled, confirmed, renamed, reset (deleted) and each recovery code
    # used, never the secrets (the TOTP key, the codes) nor the counters every sign-in moves.
    {"model": "otp_totp.totpdevice", "include_fields": ["user", "name", "confirmed"]},
    {"model": "otp_static.staticdevice", "include_fields": ["user", "name", "confirmed"]},
    {
        "model": "otp_static.statictoken",
        "mask_fields": ["token"],
        "mask_callable": "manskonts.audit.hidden",
    },
    {
        "model": "django_otp_webauthn.webauthncredential",
        "include_fields": ["user", "name", "confirmed"],
    },
    "accounts.client",
    "accounts.membership",
    "accounts.legalpersonapplication",
    "billing.invoice",
    "billing.payment",
    "billing.paymentattempt",
    "billing.paymentattemptinvoice",
    "billing.overpayment",
    {"model": "billing.bankstatement", "exclude_fields": ["content"]},
    "billing.unmatchedbankentry",
    {"model": "orders.servicegroup"},
    {"model": "orders.service", "exclude_fields": ["name_rank"]},
    "orders.order",
    {"model": "orders.orderpart", "exclude_fields": ["order_number", "status_rank"]},
    {
        "model": "eservices.eservice",
        "exclude_fields": ["service_rank", "status_rank", "order_key", "label_key"],
    },
    "documents.document",
    {"model": "requisitions.request"},
    "requisitions.requestitem",
    "requisitions.answer",
    {"model": "requisitions.answeritem", "m2m_fields": ["documents"]},
    "requisitions.requesttemplate",
    "requisitions.requesttemplateitem",
    "conversations.thread",
    {"model": "conversations.message", "exclude_fields": ["read_at", "staff_emailed_at"]},
    "conversations.attachment",
    # Who made or revoked a token, with which scopes; not its hash, nor each use.
    {"model": "api.apitoken", "exclude_fields": ["secret_hash", "last_used_at"]},
    # The back-office API's service accounts: made, scoped and revoked by a superuser.
    {"model": "api.serviceaccount", "exclude_fields": ["secret_hash"]},
)

# --- API (api/, docs/api.md) ----------------------------------------------------------------------
# Requests a minute per personal access token; over it, 429 with Retry-After.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600, minimum=1)
# The back-office token endpoint (client credentials): this many failures for one client id, or
# from one address, within the cool-off start a cool-off of that many seconds (429, Retry-After).
API_TOKEN_FAILURE_LIMIT = env_int("API_TOKEN_FAILURE_LIMIT", 10, minimum=1)
API_TOKEN_LOCKOUT_SECONDS = env_int("API_TOKEN_LOCKOUT_SECONDS", 300, minimum=1)

# --- Payments -------------------------------------------------------------------------------------
PAYMENT_PROVIDER = env_str("PAYMENT_PROVIDER", "demo" if DEBUG else "")
PAYMENT_CALLBACK_SECRET = env_str(
    "PAYMENT_CALLBACK_SECRET", "demo-callback-secret" if DEBUG else ""
)
PAYMENT_CALLBACK_MAX_AGE_SECONDS = 10 * 60
# Unsigned or badly signed callbacks kept per address and window; more are answered 429 unstored.
PAYMENT_CALLBACK_UNVERIFIED_LIMIT = env_int("PAYMENT_CALLBACK_UNVERIFIED_LIMIT", 20, minimum=1)
PAYMENT_CALLBACK_UNVERIFIED_WINDOW_SECONDS = 10 * 60
# PAYMENT_PROVIDER=hosted: the provider's payment page and our merchant id there.
PAYMENT_GATEWAY_URL = env_str("PAYMENT_GATEWAY_URL")
PAYMENT_MERCHANT_ID = env_str("PAYMENT_MERCHANT_ID")
if PAYMENT_PROVIDER == "demo" and not DEBUG:
    raise ImproperlyConfigured("PAYMENT_PROVIDER=demo (the demo bank) must be off when DEBUG=0.")
VAT_RATE_PERCENT = 21
