"""Settings for the test suite: fast hashing, fake gateways, eager tasks unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-that-is-long-enough-for-the-test-suite-only-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CAPTCHA_TEST_MODE = True
SMS_BACKEND = "outbox"
ANTIVIRUS_BACKEND = "fake"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MOCK_CMI_ENABLED = True
# Tests that need a real worker set CELERY_TEST_REAL_WORKER and REDIS_URL themselves.
CELERY_TASK_ALWAYS_EAGER = not env.bool("CELERY_TEST_REAL_WORKER", default=False)
CELERY_TASK_EAGER_PROPAGATES = False
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405
STATICFILES_DIRS = [BASE_DIR / "static"]  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Test mode is deliberate here (browser tests type "PASSED"); the library's warning would only be noise.
LOGGING["loggers"]["captcha.conf.settings"] = {"level": "CRITICAL"}  # noqa: F405
