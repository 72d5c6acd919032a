from django.conf import settings


def portal(request):
    return {
        "CUSTOMER_SERVICE_NUMBER": settings.CUSTOMER_SERVICE_NUMBER,
        "DEMO_PHONE_ENABLED": settings.DEBUG and settings.SMS_BACKEND == "outbox",
        "DEMO_MAILBOX_ENABLED": settings.DEBUG,
    }
