"""ASVI dues, payment orders with their lines, CMI callbacks, and the mock gateway's own records."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

ACCOUNT_LABEL = "BPC pour encaissements ASVI"
FEE_LABEL = "Frais de traitement"
FEE_QUARTER = 5


class AsviRate(models.Model):
    """Contribution rates are dated data (DOMAIN §4): pension capped at a monthly ceiling, AMO on the whole salary."""

    valid_from = models.DateField(_("en vigueur depuis"), unique=True)
    pension_rate = models.DecimalField(_("taux pension"), max_digits=6, decimal_places=4, default=Decimal("0.1289"))
    pension_monthly_ceiling = models.DecimalField(
        _("plafond mensuel pension (DH)"), max_digits=10, decimal_places=2, default=Decimal("6000.00")
    )
    amo_rate = models.DecimalField(_("taux AMO"), max_digits=6, decimal_places=4, default=Decimal("0.0452"))
    source = models.CharField(_("source"), max_length=250, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("taux ASVI")
        verbose_name_plural = _("taux ASVI")

    def __str__(self):
        return f"{self.pension_rate} / {self.amo_rate} ({self.valid_from:%d/%m/%Y})"


class DueStatus(models.TextChoices):
    UNPAID = "unpaid", _("Non payé")
    PAID = "paid", _("Payé")


class AsviDue(models.Model):
    """One quarter of ASVI contributions owed by an insured person."""

    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.PROTECT, related_name="asvi_dues", verbose_name=_("assuré")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    quarter = models.PositiveSmallIntegerField(_("trimestre"))
    amount = models.DecimalField(_("montant (DH)"), max_digits=10, decimal_places=2)
    reference = models.CharField(_("référence"), max_length=40, unique=True)
    account_label = models.CharField(_("compte"), max_length=60, default=ACCOUNT_LABEL)
    status = FSMField(_("statut"), max_length=10, choices=DueStatus, default=DueStatus.UNPAID, protected=False)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    paid_by_order = models.ForeignKey(
        "PaymentOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paid_dues",
        verbose_name=_("payé par l'ordre"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("trimestre ASVI")
        verbose_name_plural = _("trimestres ASVI")
        constraints = [
            models.UniqueConstraint(fields=["insured", "year", "quarter"], name="asvi_due_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="asvi_due_quarter_1_4"),
        ]
        indexes = [models.Index(fields=["insured", "status", "year", "quarter"])]

    def __str__(self):
        return f"{self.insured_id} {self.year} T{self.quarter} — {self.amount}"

    @property
    def code(self) -> str:
        return f"{self.year}{self.quarter:02d}"

    @transition(field=status, source=DueStatus.UNPAID, target=DueStatus.PAID)
    def mark_paid(self, order=None):
        self.paid_at = timezone.now()
        self.paid_by_order = order


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("En attente du paiement")
    PAID = "paid", _("Payé")
    ABANDONED = "abandoned", _("Remplacé par une nouvelle tentative")
    EXPIRED = "expired", _("Expiré sans paiement")


class CardType(models.TextChoices):
    LOCAL = "LOC", _("Carte locale")
    INTERNATIONAL = "INT", _("Carte internationale")


class OrderChannel(models.TextChoices):
    # Public: number + captcha, anyone may be paying; nothing personal goes to the gateway (audit H4).
    PUBLIC = "public", _("Paiement public (numéro et code de contrôle)")
    # Private: the member, logged in, pays from his private space; his contact details may go to CMI.
    PRIVATE = "private", _("Espace privé de l'assuré")


class PaymentOrder(models.Model):
    """What «Valider le paiement» sends to CMI: one `oid`, one amount, its lines. The callback decides."""

    oid = models.CharField(_("identifiant de commande (oid)"), max_length=64, unique=True)
    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.PROTECT, related_name="asvi_orders", verbose_name=_("assuré")
    )
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=64, unique=True)
    selection_key = models.CharField(_("trimestres choisis"), max_length=500)
    card_type = models.CharField(_("type de la carte bancaire"), max_length=3, choices=CardType)
    quarters_amount = models.DecimalField(_("montant des trimestres"), max_digits=12, decimal_places=2)
    fee_amount = models.DecimalField(_("frais de traitement"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("montant total"), max_digits=12, decimal_places=2)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    channel = models.CharField(_("canal"), max_length=10, choices=OrderChannel, default=OrderChannel.PUBLIC)
    status = FSMField(_("statut"), max_length=12, choices=OrderStatus, default=OrderStatus.PENDING, protected=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    # What the approving callback said (the truth); the last decline, for the failure page.
    trans_id = models.CharField(_("numéro de transaction CMI"), max_length=64, blank=True)
    auth_code = models.CharField(_("code d'autorisation"), max_length=20, blank=True)
    masked_card = models.CharField(_("carte"), max_length=32, blank=True)
    last_return_code = models.CharField(_("dernier code retour"), max_length=4, blank=True)
    # Random (services.new_receipt_number), so that paid receipts cannot be enumerated (audit M5).
    receipt_number = models.CharField(_("numéro du reçu"), max_length=30, blank=True, db_index=True)
    receipt_pdf = models.FileField(_("reçu PDF"), upload_to="asvi_receipts/", blank=True)
    receipt_emailed_at = models.DateTimeField(_("reçu envoyé par e-mail le"), null=True, blank=True)
    reconciliation_note = models.TextField(_("rapprochement"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ordre de paiement")
        verbose_name_plural = _("ordres de paiement")
        constraints = [
            # A selection has at most one order waiting for the gateway.
            models.UniqueConstraint(
                fields=["insured", "selection_key"],
                condition=Q(status="pending"),
                name="asvi_order_one_pending_per_selection",
            ),
            models.UniqueConstraint(
                fields=["receipt_number"], condition=~Q(receipt_number=""), name="asvi_order_unique_receipt_number"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["insured", "status"])]

    def __str__(self):
        return f"{self.oid} — {self.amount} DH ({self.get_status_display()})"

    @property
    def is_paid(self) -> bool:
        return self.status == OrderStatus.PAID

    @transition(
        field=status, source=[OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.ABANDONED], target=OrderStatus.PAID
    )
    def pay(self, *, trans_id="", auth_code="", masked_card=""):
        self.paid_at = timezone.now()
        self.trans_id = trans_id
        self.auth_code = auth_code
        self.masked_card = masked_card
        self.last_return_code = "00"

    @transition(field=status, source=OrderStatus.PENDING, target=OrderStatus.ABANDONED)
    def abandon(self):
        pass

    @transition(field=status, source=OrderStatus.PENDING, target=OrderStatus.EXPIRED)
    def expire(self):
        pass


class PaymentLine(models.Model):
    """A line of the order as CMI shows it: code YYYYQQ for a quarter, YYYY05 for the processing fee."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("ordre"))
    due = models.ForeignKey(
        AsviDue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name=_("trimestre"),
    )
    code = models.CharField(_("code"), max_length=6)
    year = models.PositiveSmallIntegerField(_("année"))
    quarter = models.PositiveSmallIntegerField(_("trimestre"))
    reference = models.CharField(_("référence"), max_length=40, blank=True)
    description = models.CharField(_("compte"), max_length=60)
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("ligne de paiement")
        verbose_name_plural = _("lignes de paiement")

    def __str__(self):
        return f"{self.code} {self.amount}"

    @property
    def is_fee(self) -> bool:
        return self.due_id is None


class CallbackRecord(models.Model):
    """Every server-to-server callback, verbatim: what CMI said, whether the hash held, what we answered."""

    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("ordre")
    )
    oid = models.CharField(_("oid reçu"), max_length=64, blank=True, db_index=True)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    raw_fields = models.JSONField(_("champs reçus"))
    hash_valid = models.BooleanField(_("HASH valide"))
    proc_return_code = models.CharField(_("ProcReturnCode"), max_length=4, blank=True)
    reply = models.CharField(_("réponse envoyée"), max_length=40)
    outcome = models.CharField(_("traitement"), max_length=250, blank=True)
    remote_addr = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("retour CMI (callback)")
        verbose_name_plural = _("retours CMI (callbacks)")

    def __str__(self):
        return f"{self.oid} {self.proc_return_code} → {self.reply}"


class MockCmiPayment(models.Model):
    """The mock gateway's memory of one hosted-page session (development and tests only)."""

    token = models.CharField(max_length=64, unique=True)
    request_fields = models.JSONField(_("champs reçus du marchand"))
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    result = models.CharField(_("résultat"), max_length=20, blank=True)
    card_number = models.CharField(_("carte utilisée"), max_length=32, blank=True)
    result_fields = models.JSONField(_("champs renvoyés"), null=True, blank=True)
    callback_status = models.PositiveSmallIntegerField(_("statut HTTP du callback"), null=True, blank=True)
    callback_reply = models.TextField(_("réponse du marchand (verbatim)"), blank=True)
    callback_error = models.CharField(_("erreur du callback"), max_length=250, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session de la passerelle de test")
        verbose_name_plural = _("sessions de la passerelle de test")

    def __str__(self):
        return f"{self.request_fields.get('oid', '?')} {self.result}"

    @property
    def needs_manual_handling(self) -> bool:
        return self.callback_reply.strip() not in ("ACTION=POSTAUTH", "APPROVED")


def receipt_token_salt() -> str:
    return f"asvi_payment.order.{settings.CMI_CLIENT_ID}"
