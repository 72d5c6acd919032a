from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from . import health
from .downloads import attachment_response
from .models import OutboundEmail, OutboundSms, OutboxStatus


def home(request):
    return render(request, "home.html")


def online_services(request):
    """«Services en ligne», the entry of cnss.ma (seed 003, steps 1–2)."""
    from .online_services import online_services as services

    return render(request, "core/online_services.html", {"services": services()})


@never_cache
def healthz(request):
    """Liveness: the process answers. It touches nothing else, so a database outage restarts no node."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: every dependency this node needs answers; 503 takes the node out of the load balancer."""
    checks = health.run_checks()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def bare_ok(request):
    """The ceiling of the machine in the load benchmark: Django with no template, no database."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def demo_phone(request):
    """Development only: the SMS the outbox backend 'delivered', so a newcomer can finish OTP steps."""
    if not (settings.DEBUG and settings.SMS_BACKEND == "outbox"):
        raise Http404
    phone = request.GET.get("numero", "").strip()
    messages = OutboundSms.objects.filter(status=OutboxStatus.SENT, backend="outbox").order_by("-created_at")
    if phone:
        messages = messages.filter(to__endswith=phone[-9:])
    return render(request, "core/demo_phone.html", {"sms_list": messages[:30], "phone": phone})


def _demo_only():
    if not settings.DEBUG:
        raise Http404


@never_cache
def demo_mailbox(request):
    """Development only: the e-mails the portal sent (receipts with their PDF), newest first."""
    _demo_only()
    return render(request, "core/demo_mailbox.html", {"emails": OutboundEmail.objects.order_by("-created_at")[:30]})


@never_cache
def demo_mail_attachment(request, pk):
    _demo_only()
    email = get_object_or_404(OutboundEmail, pk=pk)
    if not email.attachment:
        raise Http404
    return attachment_response(
        email.attachment, filename=email.attachment_name or "piece-jointe.pdf", content_type="application/pdf"
    )


class CaptchaRefreshMixin:
    """«Nouvelle image» without JavaScript: a submit button that re-displays the form with the
    answers kept and a fresh captcha, and without error messages."""

    refresh_field = "_refresh_captcha"

    def post(self, request, *args, **kwargs):
        if self.refresh_field in request.POST:
            data = {k: v for k, v in request.POST.items() if not k.startswith(("captcha", "csrf"))}
            form = self.get_form_class()(initial=data, **self.get_refresh_form_kwargs())
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def get_refresh_form_kwargs(self) -> dict:
        return {}


def too_many_attempts(request, group: str, rate: str) -> bool:
    """Per-IP limit on a public form; counts every POST. Rates look like '10/h'."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)
