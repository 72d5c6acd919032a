from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import InsuredPerson
from macnss.core.validators import format_rib

from . import services
from .audit import PersonalDataAdminMixin, mask_phone
from .forms import ContactChangeProposalForm
from .models import AccessRecord, Assignment, ChangeKind, ContactChangeProposal, ProposalStatus, QueueSetting
from .queues import all_queues


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Motif (obligatoire pour un refus)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@admin.register(ContactChangeProposal)
class ContactChangeProposalAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("changement de coordonnées")
    change_form_template = "admin/backoffice/contactchangeproposal/change_form.html"
    list_display = ("proposed_at", "insured", "kind", "new_value_masked", "status", "proposed_by", "decided_by")
    list_display_links = ("insured",)
    list_filter = ("status", "kind")
    search_fields = ("=insured__immatriculation_number",)
    list_select_related = ("insured", "proposed_by", "decided_by")
    fields = (
        "insured",
        "kind",
        "old_value_display",
        "new_value_display",
        "document_type",
        "document_number",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # proposals are made from the person's record (propose_view)

    def has_change_permission(self, request, obj=None):
        return False  # decided on their page (decide_view), never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def _show(self, obj, value):
        return format_rib(value) if obj.kind == ChangeKind.RIB else value or "—"

    @admin.display(description=_("nouvelle valeur"))
    def new_value_masked(self, obj):
        value = obj.new_value
        return mask_phone(value) if obj.kind != ChangeKind.EMAIL else value[:2] + "•••"

    @admin.display(description=_("valeur actuelle"))
    def old_value_display(self, obj):
        return self._show(obj, obj.old_value)

    @admin.display(description=_("nouvelle valeur"))
    def new_value_display(self, obj):
        return self._show(obj, obj.new_value)

    def get_urls(self):
        return [
            path(
                "proposer/<int:insured_id>/",
                self.admin_site.admin_view(self.propose_view),
                name="backoffice_contactchangeproposal_propose",
            ),
            path(
                "<int:pk>/decider/",
                self.admin_site.admin_view(self.decide_view),
                name="backoffice_contactchangeproposal_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        can_decide = bool(
            proposal
            and proposal.status == ProposalStatus.PROPOSED
            and request.user.has_perm("backoffice.decide_contactchangeproposal")
            and proposal.proposed_by_id != request.user.pk
        )
        extra_context = {
            **(extra_context or {}),
            "can_decide": can_decide,
            "own_proposal": bool(proposal and proposal.proposed_by_id == request.user.pk),
            "decision_form": DecisionForm(),
            "decide_url": reverse("admin:backoffice_contactchangeproposal_decide", args=[object_id])
            if proposal
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def propose_view(self, request, insured_id):
        if not request.user.has_perm("backoffice.add_contactchangeproposal"):
            raise PermissionDenied
        person = get_object_or_404(InsuredPerson, pk=insured_id)
        form = ContactChangeProposalForm(request.POST or None, initial={"insured": person.pk})
        if request.method == "POST" and form.is_valid() and form.cleaned_data["insured"] == person:
            data = form.cleaned_data
            services.propose_change(
                person=person,
                kind=data["kind"],
                new_value=data["new_value"],
                document_type=data["document_type"],
                document_number=data["document_number"],
                by=request.user,
            )
            self.message_user(
                request, _("Changement proposé : un superviseur doit maintenant l'approuver."), messages.SUCCESS
            )
            return redirect(reverse("admin:accounts_insuredperson_change", args=[person.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Proposer un changement de coordonnées"),
            "opts": self.model._meta,
            "person": person,
            "form": form,
        }
        return TemplateResponse(request, "admin/backoffice/contactchangeproposal/propose.html", context)

    def decide_view(self, request, pk):
        if request.method != "POST":
            return redirect(reverse("admin:backoffice_contactchangeproposal_change", args=[pk]))
        proposal = get_object_or_404(ContactChangeProposal, pk=pk)
        form = DecisionForm(request.POST)
        approve = "approve" in request.POST
        if not form.is_valid() or (not approve and not form.cleaned_data["note"]):
            self.message_user(request, _("Indiquez le motif du refus."), messages.ERROR)
            return redirect(reverse("admin:backoffice_contactchangeproposal_change", args=[pk]))
        try:
            services.decide_change(proposal=proposal, approve=approve, by=request.user, note=form.cleaned_data["note"])
        except services.FourEyesViolation as exc:
            self.message_user(request, str(exc), messages.ERROR)
        except services.StaleProposal:
            self.message_user(
                request,
                _("La donnée a changé depuis la proposition : refusez-la et faites une nouvelle proposition."),
                messages.ERROR,
            )
        except Exception as exc:
            from django_fsm import TransitionNotAllowed

            if not isinstance(exc, TransitionNotAllowed):
                raise
            self.message_user(request, _("Ce changement a déjà été décidé."), messages.WARNING)
        else:
            self.message_user(
                request,
                _("Changement approuvé : l'assuré est prévenu par SMS.") if approve else _("Changement refusé."),
                messages.SUCCESS,
            )
        return redirect(reverse("admin:backoffice_contactchangeproposal_changelist"))


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The journal is evidence: nobody, administrators included, adds, changes or deletes a row."""

    list_display = (
        "at",
        "staff_username",
        "role",
        "insured_number",
        "content_type",
        "object_reference",
        "action",
        "reason",
        "outside_queues",
    )
    list_filter = ("action", "outside_queues", "content_type")
    search_fields = ("staff_username", "=insured__immatriculation_number", "=object_reference")
    date_hierarchy = "at"
    list_select_related = ("insured", "content_type")
    show_full_result_count = False

    @admin.display(description=_("n° d'immatriculation"))
    def insured_number(self, obj):
        return obj.insured.immatriculation_number

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AccessRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QueueSetting)
class QueueSettingAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "service_days")
    list_editable = ("service_days",)
    readonly_fields = ("key", "label")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        for queue in all_queues():
            QueueSetting.objects.get_or_create(
                key=queue.key,
                defaults={"label": f"{queue.journey} — {queue.label}", "service_days": queue.service_days},
            )
        return super().changelist_view(request, extra_context)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("content_type", "object_id", "item_link", "assigned_to", "assigned_at")
    list_filter = ("content_type", "assigned_to")
    list_select_related = ("content_type", "assigned_to")
    readonly_fields = ("content_type", "object_id", "assigned_to", "assigned_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("dossier"))
    def item_link(self, obj):
        url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id])
        return format_html('<a href="{}">{}</a>', url, _("Ouvrir"))
