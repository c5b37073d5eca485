"""Settings of Sferum Admin.

Every deploy-specific value is read through ``env``. With nothing set the
project runs on one machine: SQLite, Celery tasks in-process, an in-memory
channel layer, SMS printed to the console. ``DJANGO_ENV=production`` turns on
the production checks and requires a secret key, hosts and the site address.
"""

import base64
import hashlib
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Mode ------------------------------------------------------------------

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The address people open: every link in an SMS, e-mail, QR code and print sheet starts
# with it. Unset, it is where `make run` serves (RUN_PORT); production refuses to start
# without it (sferum_admin/checks.py).
RUN_PORT = env.int("RUN_PORT", default=8000)
SITE_URL = env.str("SITE_URL", default="") or f"http://127.0.0.1:{RUN_PORT}"
# bench/dashboard.py sets it: adds the bare view the benchmark compares pages with.
BENCHMARK = env.bool("BENCHMARK", default=False)

# --- Applications ----------------------------------------------------------

INSTALLED_APPS = [
    # First: its runserver replaces Django's, so `make run` serves the ASGI application (pages and
    # WebSockets, /ws/) on one port; static files are still served from the apps' folders under it.
    "daphne",
    # Django's admin, signed into only through allauth with the second factor.
    "sferum_admin.admin_site.PlatformAdminConfig",
    # Before django.contrib.auth, so that its createsuperuser (a phone in any common format) is the one run.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/v1/docs/, served from here rather than a CDN.
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "django_celery_beat",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Project apps, lower layers first.
    "sferum_admin",
    "notifications",
    "audit",
    "colleges",
    "groups",
    "materials",
    "invitations",
    "movement",
    "chats",
    "broadcasts",
    "announcements",
    "support",
    "analytics",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (the proxy's X-Request-ID).
    "core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "colleges.middleware.CurrentCollegeMiddleware",
    "accounts.middleware.RequireStaffMfaMiddleware",
]

if PRODUCTION:
    # Static files straight from the app server, compressed and cache-busted.
    _after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
    MIDDLEWARE.insert(_after_security, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "sferum_admin.urls"
WSGI_APPLICATION = "sferum_admin.wsgi.application"
ASGI_APPLICATION = "sferum_admin.asgi.application"

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
                "colleges.context_processors.current_college",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if PRODUCTION:
    # Persistent connections: measured about 7x more requests per second.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode (DATABASE_POOLING=transaction) a session is not ours between
# transactions: no server-side cursors, and no session settings (SET) of our own.
DATABASE_POOLING = env.str("DATABASE_POOLING", default="")
if DATABASE_POOLING == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# The channel layer over Redis: «pubsub» publishes a group's event once and each server process hands it to
# its own sockets; «core» (channels_redis's lists) pushes a copy per socket through Redis — 500 copies for a
# chat of 500. bench/chat_fanout.py measures both (README, «WebSocket»). Without REDIS_URL: in memory.
CHANNEL_LAYER = env.str("CHANNEL_LAYER", default="pubsub")
CHANNEL_LAYER_BACKENDS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
if CHANNEL_LAYER not in CHANNEL_LAYER_BACKENDS:
    raise ImproperlyConfigured(f"CHANNEL_LAYER: {' or '.join(CHANNEL_LAYER_BACKENDS)}, not {CHANNEL_LAYER!r}")

if REDIS_URL:
    # Redis down: cache misses and skipped writes, not errors (core/cache.py).
    CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {"default": {"BACKEND": CHANNEL_LAYER_BACKENDS[CHANNEL_LAYER], "CONFIG": {"hosts": [REDIS_URL]}}}
    # Sessions are read from Redis and written to both: no session query per request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Costly page parts (dashboard figures, the group list) are cached per college
# and dropped on every change to its data (core/college_cache.py); this
# bounds their age otherwise. 0 switches that cache off.
COLLEGE_CACHE_SECONDS = env.int("COLLEGE_CACHE_SECONDS", default=300)
# How long one process reuses the /readyz answer (database, Redis, worker checks).
READINESS_CACHE_SECONDS = env.float("READINESS_CACHE_SECONDS", default=5.0)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "core.static.StaticFilesStorage" if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end libraries come from npm at setup (make install), never from a CDN.
_NODE_MODULES = BASE_DIR / "node_modules"
for _prefix, _path in (("vendor/htmx", "htmx.org/dist"), ("vendor/pico", "@picocss/pico/css")):
    if (_NODE_MODULES / _path).is_dir():
        STATICFILES_DIRS.append((_prefix, _NODE_MODULES / _path))

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
APPOINTMENT_ORDER_MAX_BYTES = 10 * 1024 * 1024

# Materials: files live in the private "materials" storage (never under
# MEDIA_URL; served only by the permission-checked download view).
MATERIALS_ROOT = Path(
    env.str("MATERIALS_ROOT", default=str(BASE_DIR / "var" / ("test-materials" if TESTING else "materials")))
)
MATERIALS_MAX_BYTES = {
    "document": env.int("MATERIALS_MAX_DOCUMENT_BYTES", default=50 * 1024 * 1024),
    "video": env.int("MATERIALS_MAX_VIDEO_BYTES", default=500 * 1024 * 1024),
}
# Office and OpenDocument files are ZIP archives: refuse one that would unpack to
# more than this, or whose content is packed tighter than any real document (a zip bomb).
MATERIALS_MAX_UNPACKED_BYTES = env.int("MATERIALS_MAX_UNPACKED_BYTES", default=512 * 1024 * 1024)
MATERIALS_MAX_COMPRESSION_RATIO = env.int("MATERIALS_MAX_COMPRESSION_RATIO", default=200)
MATERIALS_VIDEO_HOSTS = env.list(
    "MATERIALS_VIDEO_HOSTS",
    default=["rutube.ru", "vk.com", "vkvideo.ru", "dzen.ru", "sferum.ru", "youtube.com", "youtu.be"],
)
STORAGES["materials"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MATERIALS_ROOT},
}
# Behind nginx: the download view checks the permission and answers with X-Accel-Redirect to this
# internal location (which serves MATERIALS_ROOT), so a large file holds no app thread. Empty: the app
# streams the file itself. Files on S3 are always streamed through the storage.
MATERIALS_ACCEL_REDIRECT = env.str("MATERIALS_ACCEL_REDIRECT", default="")
VIDEO_ROOM_URL = env.str("VIDEO_ROOM_URL", default="https://meet.jit.si/")  # + a random room name; or your Jitsi/BBB
# Jitsi shows a person entering the room under their name from «#userInfo.displayName=…» in the room's address
# (the fragment stays in the browser). A BigBlueButton gateway ignores it: set False there.
VIDEO_ROOM_NAME_FRAGMENT = env.bool("VIDEO_ROOM_NAME_FRAGMENT", default=True)

# Chats: attachments in the private "chats" storage (checked by content like materials, see core.files),
# the limits per kind of file, and how long after sending an author may still edit a message.
CHATS_ROOT = Path(env.str("CHATS_ROOT", default=str(BASE_DIR / "var" / ("test-chats" if TESTING else "chats"))))
CHAT_ATTACHMENT_MAX_BYTES = {
    "document": env.int("CHAT_ATTACHMENT_MAX_DOCUMENT_BYTES", default=20 * 1024 * 1024),
    "video": env.int("CHAT_ATTACHMENT_MAX_VIDEO_BYTES", default=100 * 1024 * 1024),
}
CHAT_EDIT_WINDOW_MINUTES = env.int("CHAT_EDIT_WINDOW_MINUTES", default=15)
STORAGES["chats"] = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": CHATS_ROOT}}
# As MATERIALS_ACCEL_REDIRECT, for the internal location that serves CHATS_ROOT.
CHATS_ACCEL_REDIRECT = env.str("CHATS_ACCEL_REDIRECT", default="")

# Roster imports (CSV or XLSX, at most 50,000 rows): the largest file accepted, checked before it is read,
# and for XLSX (a ZIP archive) the most its parts may unpack to and the tightest packing allowed.
ROSTER_MAX_UPLOAD_BYTES = env.int("ROSTER_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
ROSTER_MAX_UNPACKED_BYTES = env.int("ROSTER_MAX_UNPACKED_BYTES", default=100 * 1024 * 1024)
ROSTER_MAX_COMPRESSION_RATIO = env.int("ROSTER_MAX_COMPRESSION_RATIO", default=200)

# S3-compatible object storage (django-storages) when a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_QUERYSTRING_AUTH = True
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    STORAGES["materials"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "materials", "default_acl": "private", "querystring_auth": True},
    }
    STORAGES["chats"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "chats", "default_acl": "private", "querystring_auth": True},
    }

# Support: screenshots and PDFs on questions (the private "support" storage): sferum_admin/settings_support.py.
from sferum_admin.settings_support import (  # noqa: E402, F401
    SUPPORT_ACCEL_REDIRECT,
    SUPPORT_ATTACHMENT_MAX_BYTES,
    SUPPORT_ROOT,
    SUPPORT_THUMBNAIL_MAX_PIXELS,
    SUPPORT_THUMBNAIL_SIZE,
    support_storage,
)

STORAGES["support"] = support_storage(s3=bool(AWS_STORAGE_BUCKET_NAME))

# --- Identity --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Sign-in: phone + SMS code, or e-mail + password; sign-up asks the name.
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "confirm_login_code": "accounts.forms.ConfirmLoginCodeForm",
    "verify_phone": "accounts.forms.VerifyPhoneForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone*"]
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 300
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Six digits: typed from an SMS on a phone keypad; three tries per code, rate-limited requests.
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
# A class of 30 behind one school NAT address asks for codes in the same minutes: the
# per-address ceilings are high, the tight limits are per phone (3 codes in 5 minutes,
# 10 a day) and per code (3 tries, ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS).
ACCOUNT_RATE_LIMITS = {
    "login": "100/m/ip",
    "login_failed": "50/5m/ip,5/5m/key",
    "request_login_code": "300/5m/ip,3/5m/key,10/d/key",
    "confirm_login_code": "300/5m/ip",
}
# Behind a reverse proxy every request comes from the proxy's address: name how many
# proxies append to X-Forwarded-For (or the one header the proxy sets) so that rate limits,
# allauth's and the project's own (accounts.ratelimits), count the real client address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
MFA_ADAPTER = "accounts.adapter.MfaAdapter"
MFA_FORMS = {"activate_totp": "accounts.forms.ActivateTOTPForm", "authenticate": "accounts.forms.MfaAuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
USERSESSIONS_TRACK_ACTIVITY = False
USERSESSIONS_ADAPTER = "accounts.sessions_adapter.UserSessionsAdapter"
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Сферум Админ")
# Fernet key(s) encrypting TOTP keys and recovery-code seeds at rest (accounts/mfa_secrets.py):
# required in production; elsewhere derived from SECRET_KEY. Several, comma-separated, rotate keys.
if PRODUCTION:
    MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY")
    if not MFA_ENCRYPTION_KEY.strip():
        raise ImproperlyConfigured("Set MFA_ENCRYPTION_KEY: the key that encrypts TOTP secrets (see .env.example).")
else:
    MFA_ENCRYPTION_KEY = env.str(
        "MFA_ENCRYPTION_KEY",
        default=base64.urlsafe_b64encode(hashlib.sha256(f"accounts.mfa:{SECRET_KEY}".encode()).digest()).decode(),
    )
# Roles that must have TOTP set up before they may open college pages.
MFA_REQUIRED_ROLES = ("administrator", "administration")

# --- Language and time -----------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

# --- Tasks -----------------------------------------------------------------

# The broker is REDIS_URL unless a separate instance is named (docs/scaling.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without Redis the tasks run in-process, so `make run` needs no services.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {}
# Movements dated in the future are applied on their effective date (hourly, so a missed run catches up).
CELERY_BEAT_SCHEDULE["movement.apply_due"] = {
    "task": "groups.movement.tasks.apply_due_movements",
    "schedule": 3600.0,
}
# Scheduled materials: notify their audience once their publication time has come.
# Chats follow the roster through groups' signals; nightly, every chat is checked against it again.
CELERY_BEAT_SCHEDULE["chats.sync_all"] = {"task": "chats.tasks.sync_all", "schedule": 24 * 3600.0}
CELERY_BEAT_SCHEDULE["materials.notify_due"] = {"task": "materials.tasks.material_notify_due", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["notifications.push_deliveries_prune"] = {
    "task": "notifications.tasks.push_deliveries_prune",
    "schedule": 24 * 3600.0,
}
# Work still «применяется» or «в очереди» this long after it was queued lost its worker: the beat queues it
# again (each task is idempotent), and the page offers «Повторить».
STUCK_WORK_MINUTES = env.int("STUCK_WORK_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["movement.import_requeue_stuck"] = {
    "task": "groups.movement.tasks.import_requeue_stuck",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["invitations.bulk_dispatch_requeue_stuck"] = {
    "task": "invitations.bulk_dispatch_requeue_stuck",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["materials.uploads_discard_stale"] = {
    "task": "materials.tasks.material_uploads_discard_stale",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["broadcasts.remind_due"] = {"task": "broadcasts.tasks.sessions_remind_due", "schedule": 60.0}

# --- Notifications ---------------------------------------------------------

SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.backends.ConsoleSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.log"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
SMS_SENDER_NAME = env.str("SMS_SENDER_NAME", default="Sferum")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Сферум Админ <noreply@localhost>")

# Web Push (notifications/push.py): off until both keys are set; `manage.py vapid_keys` makes a pair.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:noreply@localhost")
# The server POSTs to a browser's endpoint, so only the browsers' push services are accepted (host or its subdomain).
PUSH_ENDPOINT_HOSTS = env.list(
    "PUSH_ENDPOINT_HOSTS",
    default=[
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
PUSH_ALLOW_HTTP_ENDPOINTS = env.bool("PUSH_ALLOW_HTTP_ENDPOINTS", default=False)
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=24 * 3600)
PUSH_TIMEOUT_SECONDS = env.float("PUSH_TIMEOUT_SECONDS", default=10.0)

# --- Invitations (invitations/conf.py reads them at call time) ------------

INVITATION_BURST_LIMIT = env.int("INVITATION_BURST_LIMIT", default=100)
INVITATION_BURST_WINDOW = env.int("INVITATION_BURST_WINDOW", default=60)
INVITATION_OPEN_LIMIT_PER_IP = env.int("INVITATION_OPEN_LIMIT_PER_IP", default=300)
INVITATION_ACCEPT_LIMIT_PER_IP = env.int("INVITATION_ACCEPT_LIMIT_PER_IP", default=300)
INVITATION_ACCEPT_LIMIT_PER_USER = env.int("INVITATION_ACCEPT_LIMIT_PER_USER", default=10)
INVITATION_CODE_LIMIT_PER_LINK = env.int("INVITATION_CODE_LIMIT_PER_LINK", default=300)
INVITATION_DISPATCH_BATCH = env.int("INVITATION_DISPATCH_BATCH", default=200)
INVITATION_DISPATCH_ASYNC_COMMIT = env.int("INVITATION_DISPATCH_ASYNC_COMMIT", default=1)

# --- API -------------------------------------------------------------------

# REST_FRAMEWORK and SPECTACULAR_SETTINGS (the schema's enum names): sferum_admin/settings_api.py.
from sferum_admin.settings_api import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- Security --------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from this
# server's own files, never inline and never from elsewhere, so injected
# markup can neither run script nor restyle a page. Behaviours live in
# static/js (data-confirm, data-autosubmit…), styles in static/css. Pico's
# icons are data: images. A view that needs more says so with csp_update
# (the API docs: Swagger UI's own <style>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
        # The service worker (/sw.js, push notifications) and the web app manifest.
        "worker-src": [CSP_SELF],
        "manifest-src": [CSP_SELF],
    },
}
if PRODUCTION:
    # The proxy (nginx in docker-compose.yml) speaks TLS and says so in X-Forwarded-Proto, which it always sets.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks call the app directly over HTTP from inside its container (deploy/healthcheck.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ---------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object per line in production; readable lines elsewhere.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            # The time with its UTC offset: logs of several machines and time zones sort together.
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "redact_secrets": {"()": "core.logging.RedactSecretsFilter"},
        "request_id": {"()": "core.logging.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION or env.bool("LOG_JSON", default=False) else "plain",
            "filters": ["request_id", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # uvicorn (the asgi service) gives its loggers handlers of its own before Django starts: their lines
        # go through the console handler above instead (JSON in production, like the rest).
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": True},
    },
}

# Error reports to Sentry (or a compatible service) when SENTRY_DSN is set; nothing is sent otherwise.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN and not TESTING:
    from sferum_admin.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# --- Test mode -------------------------------------------------------------

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SMS_BACKEND = "notifications.backends.MemorySmsBackend"
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
    # Test transactions never commit, so nothing would drop a cached part between
    # a test's requests; the cache's own tests and the browser tests switch it on.
    COLLEGE_CACHE_SECONDS = 0
    # Each test sees the dependencies as they are now; the cache's own test switches it on.
    READINESS_CACHE_SECONDS = 0.0
    # Sessions in the database, so the query counts pinned by tests do not depend on
    # whether a session happens to be in Redis; tests/accounts/test_cached_sessions.py
    # runs sign-in and sign-out with the production engine.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media")))
    # Rate limits are exercised by their own tests, which switch them back on.
    ACCOUNT_RATE_LIMITS_PRODUCTION = ACCOUNT_RATE_LIMITS
    ACCOUNT_RATE_LIMITS = {
        **ACCOUNT_RATE_LIMITS,
        "login_failed": "1000/m/ip",
        "login": "1000/m/ip",
        "request_login_code": "1000/m/ip,1000/m/key,1000/d/key",
        "confirm_login_code": "1000/m/ip",
    }
