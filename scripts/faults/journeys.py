# ruff: noqa: T201, S603, S607, S608, S105, S108 - operator scripts: they print, run fixed local commands
"""Real users, over HTTP: the TNS onboarding (outcome b), a TAAWIDATY claim, an ASVI payment.

Each journey records every response (status, time) so a fault script can assert that none failed.
The people they use are created directly in the database (`make_*` functions, Django set up in-process).
"""

import io
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import requests

PASSWORD = "Demo-MaCNSS-2026"  # DEMO_PASSWORD of macnss.core.demo_support
EXPIRY = date(2032, 6, 30)
TIMEOUT = 30


class JourneyError(Exception):
    pass


@dataclass
class Hit:
    at: float
    method: str
    path: str
    status: int | None  # None: no answer (connection error, timeout)
    seconds: float
    error: str = ""


@dataclass
class Client:
    """A browser: cookies, CSRF tokens read from the page, and a log of every request."""

    base_url: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"macnss-faults ({self.label})"

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        start = time.monotonic()
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            self._record(Hit(time.time(), method, path, None, time.monotonic() - start, str(exc)[:200]))
            raise JourneyError(f"{self.label}: {method} {path}: {exc}") from exc
        self._record(Hit(time.time(), method, path, response.status_code, time.monotonic() - start))
        if response.status_code >= 500:
            raise JourneyError(f"{self.label}: {method} {path} answered {response.status_code}")
        return response

    def _record(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs) -> requests.Response:
        return self.request("POST", path, data=data, **kwargs)

    def form(self, path: str) -> tuple[requests.Response, dict]:
        """GET a page and return the hidden fields of its form (CSRF token, captcha key, tokens)."""
        response = self.get(path)
        expect(response, 200, path)
        return response, hidden_fields(response.text)


def hidden_fields(html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = _unescape(value.group(1)) if value else ""
    return fields


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def expect(response, status: int, what: str, *, location: str = "") -> None:
    if response.status_code != status:
        summary = re.search(r'class="error-summary".*?<ul>(.*?)</ul>', response.text, re.S)
        shown = re.sub(r"<[^>]+>|\s+", " ", summary.group(1)).strip() if summary else response.text[:200]
        raise JourneyError(f"{what}: expected {status}, got {response.status_code}: {shown!r}")
    if location and location not in response.headers.get("Location", ""):
        raise JourneyError(f"{what}: redirected to {response.headers.get('Location')!r}, expected {location!r}")


def follow(client: Client, response) -> requests.Response:
    return client.get(response.headers["Location"])


# --- People (Django in-process) --------------------------------------------------------------------


def make_tns_person(n: int):
    """Outcome b: registered TNS, no account. Identity CNIE FT71000nn."""
    from accounts.demo import birth_date_for_age, ensure_person
    from accounts.models import ProfessionalSubCategory, Regime, User

    person = ensure_person(
        f"7100000{n:02d}",
        id_document_number=f"FT7100{n:02d}",
        id_document_expiry=EXPIRY,
        birth_date=birth_date_for_age(40, n % 12),
        last_name="FAULTS",
        first_name=f"Tns{n}",
        phone=f"+21266171{n:04d}",
        email=f"tns{n}@faults.example",
        regime=Regime.TNS,
        tns_subcategory=ProfessionalSubCategory.objects.order_by("pk").first(),
        pays_contributions_directly=True,
    )
    User.objects.filter(insured=person).delete()
    return person


def make_claimant(n: int):
    """TAAWIDATY: 61 years old, 900 declared days, an account."""
    from accounts.demo import birth_date_for_age, ensure_account, ensure_person

    person = ensure_person(
        f"7200000{n:02d}",
        id_document_number=f"FC7200{n:02d}",
        birth_date=birth_date_for_age(61, n % 12),
        last_name="FAULTS",
        first_name=f"Claim{n}",
        phone=f"+21266172{n:04d}",
        declared_days=900,
        mining_days=0,
        receives_pension=False,
    )
    ensure_account(person, PASSWORD)
    return person


def make_asvi_member(n: int):
    """ASVI: two unpaid quarters and an e-mail address for the receipt."""
    from decimal import Decimal

    from accounts.demo import birth_date_for_age, ensure_person
    from accounts.models import Regime
    from asvi_payment import services
    from asvi_payment.demo import seed_rates
    from asvi_payment.models import AsviDue

    seed_rates()
    person = ensure_person(
        f"7300000{n:02d}",
        id_document_number=f"FA7300{n:02d}",
        birth_date=birth_date_for_age(50),
        last_name="FAULTS",
        first_name=f"Asvi{n}",
        phone=f"+21266173{n:04d}",
        email=f"asvi{n}@faults.example",
        regime=Regime.ASVI,
        asvi_reference_salary=Decimal("3000.00"),
    )
    for year, quarter in ((2024, 3), (2024, 4)):
        AsviDue.objects.update_or_create(
            insured=person,
            year=year,
            quarter=quarter,
            defaults={
                "amount": Decimal("1451.10"),
                "reference": services.due_reference(person.immatriculation_number, year, quarter),
            },
        )
    return person


def tiny_pdf() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


# --- Journeys (HTTP only) --------------------------------------------------------------------------


def read_code(phone: str, *, after_id: int = 0) -> str:
    """The user reads his SMS: here, the outbox row. The outbox backend keeps the text once sent; a code
    still waiting (broker down) is encrypted, and the operator's script holds the key."""
    from macnss.core.models import OutboundSms
    from macnss.core.outbox_crypto import decrypt

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sms = OutboundSms.objects.filter(to=phone, pk__gt=after_id).order_by("-pk").first()
        if sms is not None:
            match = re.search(r"\b(\d{6})\b", decrypt(sms.body))
            if match:
                return match.group(1)
        time.sleep(0.2)
    raise JourneyError(f"no code SMS for {phone}")


def tns_onboarding(client: Client, person, *, phone_local: str) -> None:
    """Seed 001, outcome b: identity → SMS code → account created (temporary password by SMS)."""
    from macnss.core.models import OutboundSms

    before = OutboundSms.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _, hidden = client.form("/tns/")
    data = {
        **hidden,
        "id_document_type": "cnie",
        "id_document_number": person.id_document_number,
        "id_document_expiry": person.id_document_expiry.strftime("%d/%m/%Y"),
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "phone": phone_local,
        "phone_operator": "maroc_telecom",
        "email": "",
        "captcha_1": "PASSED",
    }
    response = client.post("/tns/", data)
    expect(response, 302, "TNS identity", location="/tns/code/")
    code = read_code("+212" + phone_local[1:], after_id=before)
    _, hidden = client.form("/tns/code/")
    response = client.post("/tns/code/", {**hidden, "code": code, "captcha_1": "PASSED"})
    expect(response, 302, "TNS code", location="/tns/compte-cree/")
    expect(follow(client, response), 200, "TNS account created")


def login(client: Client, number: str) -> None:
    _, hidden = client.form("/compte/connexion/")
    response = client.post("/compte/connexion/", {**hidden, "username": number, "password": PASSWORD})
    expect(response, 302, "login")
    home = client.get("/compte/", allow_redirects=True)  # may ask for a RIB first: still logged in
    expect(home, 200, "private home")
    if "/compte/connexion/" in home.url:
        raise JourneyError("login refused")


def taawidaty_claim(client: Client, number: str, pdf: bytes) -> str:
    """Seed 002: login → «Créer une demande» → documents → «Valider». Returns the claim's public id."""
    login(client, number)
    create = "/taawidaty/remboursement-cotisations-salariales/nouvelle-demande/"
    _, hidden = client.form(create)
    response = client.post(create, {**hidden, "mining": "non", "cessation_date": "31/12/2020"})
    expect(response, 302, "claim form", location="/pieces/")
    documents = response.headers["Location"]
    page, hidden = client.form(documents)
    names = sorted(set(re.findall(r'name="(piece_\d+)"', page.text)))
    if not names:
        raise JourneyError("no document field on the documents page")
    files = {name: (f"{name}.pdf", pdf, "application/pdf") for name in names}
    response = client.post(documents, hidden, files=files)
    expect(response, 302, "documents", location="/verification/")
    check = response.headers["Location"]
    _, hidden = client.form(check)
    response = client.post(check, hidden)
    expect(response, 302, "validate claim")
    expect(follow(client, response), 200, "claim detail")
    return re.search(r"/demandes/([0-9a-f-]{36})/", check).group(1)


def asvi_payment(client: Client, number: str, *, store_key: str) -> str:
    """Seed 003: lookup → dues → transaction → order; then CMI's signed approved callback. Returns the oid."""
    from asvi_payment import cmi

    _, hidden = client.form("/paiement/assure-asvi/")
    response = client.post("/paiement/assure-asvi/", {**hidden, "number": number, "captcha_1": "PASSED"})
    expect(response, 302, "ASVI lookup", location="/creances/")
    page, hidden = client.form("/paiement/assure-asvi/creances/")
    dues = re.findall(r'name="dues" value="(\d+)"', page.text)
    if not dues:
        raise JourneyError("no due on the dues page")
    response = client.post(
        "/paiement/assure-asvi/creances/", {**hidden, "dues": dues, "card_type": "LOC", "accept_terms": "on"}
    )
    expect(response, 302, "dues", location="/transaction/")
    _, hidden = client.form("/paiement/assure-asvi/transaction/")
    response = client.post("/paiement/assure-asvi/transaction/", hidden)
    expect(response, 303, "transaction", location="/commande/")
    page = follow(client, response)
    expect(page, 200, "redirect to gateway")
    fields = hidden_fields(page.text)
    if "oid" not in fields:
        raise JourneyError("no oid in the gateway form")
    result = {k: v for k, v in fields.items() if k.lower() not in ("hash", "csrfmiddlewaretoken")}
    result.update(
        {
            "ProcReturnCode": "00",
            "Response": "Approved",
            "AuthCode": "123456",
            "TransId": f"FLT{int(time.time() * 1000)}",
            "mdStatus": "1",
            "maskedCreditCard": "400000******0010",
        }
    )
    signed = cmi.sign({k: str(v).strip() for k, v in result.items()}, store_key)
    callback = requests.post(f"{client.base_url}/paiement/cmi/callback/", data=signed, timeout=TIMEOUT)
    client._record(Hit(time.time(), "POST", "/paiement/cmi/callback/", callback.status_code, 0.0))
    if callback.status_code >= 500:
        raise JourneyError(f"callback answered {callback.status_code}")
    if callback.text.strip() not in ("ACTION=POSTAUTH", "APPROVED"):
        raise JourneyError(f"callback refused: {callback.text[:200]!r}")
    # The browser comes back through okUrl.
    back = client.post("/paiement/cmi/ok/", signed)
    expect(back, 303, "okUrl")
    return fields["oid"]
