"""Antivirus behind a small interface chosen by settings.ANTIVIRUS_BACKEND: "fake" (development and tests,
flags the EICAR test string) or "clamd" (INSTREAM to settings.CLAMD_SOCKET: a unix-socket path, or
tcp://host:port as in docker-compose). Production refuses the fake."""

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# The standard antivirus test file (not a virus): every scanner must flag it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict: the file must not be accepted unscanned."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""
    backend: str = ""


class FakeScanner:
    name = "fake"

    def scan(self, data: bytes) -> Verdict:
        if EICAR in data:
            return Verdict(clean=False, signature="Eicar-Test-Signature", backend=self.name)
        return Verdict(clean=True, backend=self.name)


class ClamdScanner:
    name = "clamd"

    def __init__(self, socket_path: str, timeout: float = 30):
        self.socket_path = socket_path
        self.timeout = timeout

    def _client(self):
        import clamd  # the client is unmaintained (1.0.2, 2014): kept behind this class

        if self.socket_path.startswith("tcp://"):
            address = urlsplit(self.socket_path)
            return clamd.ClamdNetworkSocket(host=address.hostname, port=address.port or 3310, timeout=self.timeout)
        return clamd.ClamdUnixSocket(path=self.socket_path, timeout=self.timeout)

    def ping(self) -> bool:
        import clamd

        try:
            return self._client().ping() == "PONG"
        except (clamd.ConnectionError, OSError):
            return False

    def scan(self, data: bytes) -> Verdict:
        import clamd

        try:
            result = self._client().instream(io.BytesIO(data))
        except (clamd.ConnectionError, clamd.BufferTooLongError, OSError) as exc:
            raise ScannerUnavailable(str(exc)) from exc
        if not result:
            raise ScannerUnavailable("empty answer from clamd")
        status, signature = result.get("stream", ("ERROR", "no stream result"))
        if status == "OK":
            return Verdict(clean=True, backend=self.name)
        if status == "FOUND":
            return Verdict(clean=False, signature=signature or "", backend=self.name)
        raise ScannerUnavailable(f"clamd: {status} {signature}")


def get_scanner():
    if settings.ANTIVIRUS_BACKEND == "clamd":
        return ClamdScanner(settings.CLAMD_SOCKET)
    if settings.ANTIVIRUS_BACKEND == "fake":
        return FakeScanner()
    raise ValueError(f"Unknown ANTIVIRUS_BACKEND {settings.ANTIVIRUS_BACKEND!r}")


def scan(data: bytes) -> Verdict:
    return get_scanner().scan(data)
