"""Demo data plumbing: each app may have a `demo.py` with `seed() -> list[DemoAccount]`, run by seed_demo."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    journey: str
    number: str
    password: str
    note: str = ""


DEMO_PASSWORD = "Demo-MaCNSS-2026"  # noqa: S105 - printed demo password, development data only
