"""A request id on every log line of a request and of the tasks it enqueues.

The id comes from the load balancer's `X-Request-ID` when it is well formed (it is only a label for
logs, and the pattern keeps anything else out of them), otherwise it is made here. Celery carries it to
the tasks in a message header.
"""

import contextvars
import logging
import re
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _WELL_FORMED.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so that the format can print it."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    request_id = current_request_id.get()
    if headers is not None and request_id != "-":
        headers["request_id"] = request_id


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect
def adopt_request_id(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) if task is not None else None
    if request_id and _WELL_FORMED.match(str(request_id)):
        _task_tokens[task_id] = current_request_id.set(request_id)


@task_postrun.connect
def drop_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current_request_id.reset(token)
