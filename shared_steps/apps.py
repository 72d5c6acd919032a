from django.apps import AppConfig


class SharedStepsConfig(AppConfig):
    """Steps that several journeys share (the SMS code, the RIB and its mandate): above `accounts` and
    below the journeys, so that no journey imports another journey's views or forms. No models."""

    name = "shared_steps"
