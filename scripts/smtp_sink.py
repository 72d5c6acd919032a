"""An SMTP sink on loopback for the harnesses that run the production settings (bench, wapiti scan).

Production refuses the console and file e-mail backends (audit L5), so those harnesses point EMAIL_URL
at this server instead: it accepts every message on 127.0.0.1 and keeps only a count.
"""

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class _CountingHandler:
    received: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append((envelope.mail_from, tuple(envelope.rcpt_tos)))
        return "250 Message accepted"


@dataclass
class SmtpSink:
    port: int
    handler: _CountingHandler

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        return len(self.handler.received)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_sink():
    """`with smtp_sink() as sink: env["EMAIL_URL"] = sink.url` — stopped when the block ends."""
    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpSink(controller.port, handler)
    finally:
        controller.stop()
