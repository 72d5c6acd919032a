"""The three staff roles (least privilege, audit H1). Created by the data migration 0002_staff_roles and
kept in step after every `migrate` (post_migrate), so a model added later gets its permissions too.

- «Agents» view the journeys' records and process their requests (status actions), and propose contact
  changes; they never see users, groups or permissions.
- «Superviseurs» do what agents do, approve contact changes, edit reference data, import CSV liaison
  lists, set the queues' service times and read the access journal.
- «Administrateurs» manage staff users and their roles (the only ones who see `auth` and users).
"""

AGENTS = "Agents"
SUPERVISORS = "Superviseurs"
ADMINISTRATORS = "Administrateurs"
ROLES = (AGENTS, SUPERVISORS, ADMINISTRATORS)

JOURNEY_APPS = (
    "accounts",
    "tns_enrollment",
    "pension",
    "taawidaty",
    "asvi_payment",
    "family",
    "insured_space",
    "passkeys",
    "core",
)

# Records agents may view: every model of the journeys except the accounts (users) themselves.
_AGENT_HIDDEN = {"accounts.user"}
# Requests agents process (status actions need `change`).
_AGENT_CHANGE = {
    "accounts.insuredperson",  # the address and names; phone, e-mail and RIB are read-only
    "taawidaty.refundclaim",
    "pension.pensionrequest",
    "tns_enrollment.liaisonlistentry",
    "asvi_payment.paymentorder",
    "accounts.bankdetails",  # «Confirmer le RIB» of the queue «RIB à vérifier»
    "family.familymember",
    "core.outboundsms",
    "core.outboundemail",
}
_AGENT_EXTRA = {
    "backoffice.view_contactchangeproposal",
    "backoffice.add_contactchangeproposal",
    "backoffice.view_assignment",
    "backoffice.add_assignment",
}
# Reference data supervisors edit.
_REFERENCE_DATA = {
    "accounts.professionalcategory",
    "accounts.professionalsubcategory",
    "accounts.smigvalue",
    "taawidaty.requireddocument",
    "taawidaty.physicalcontrolrule",
    "asvi_payment.asvirate",
    "tns_enrollment.proximitypoint",
    "family.coveragerule",
}
_SUPERVISOR_EXTRA = {
    "tns_enrollment.add_liaisonlistentry",  # CSV imports
    "tns_enrollment.view_liaisonimport",
    "insured_space.add_declarationimport",  # CSV imports of monthly declarations
    "passkeys.delete_passkey",  # «Révoquer» a passkey reported lost at an agency
    "backoffice.decide_contactchangeproposal",
    "backoffice.change_assignment",
    "backoffice.delete_assignment",
    "backoffice.view_accessrecord",
    "backoffice.view_queuesetting",
    "backoffice.change_queuesetting",
    "auditlog.view_logentry",
}
_ADMINISTRATOR = {
    "auth.view_group",
    "auth.add_group",
    "auth.change_group",
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "otp_totp.view_totpdevice",
    "backoffice.view_accessrecord",
    "auditlog.view_logentry",
}


def role_permissions(permission_model) -> dict[str, list]:
    """Permission rows of each role. Takes the models as arguments so the migration can pass its
    historical ones."""
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in permission_model.objects.select_related("content_type").filter(
            content_type__app_label__in=(*JOURNEY_APPS, "backoffice", "auth", "otp_totp", "auditlog")
        )
    }

    def model_key(key):
        app_label, codename = key.split(".")
        return f"{app_label}.{codename.split('_', 1)[1]}"

    agents = set()
    for key in by_key:
        app_label, codename = key.split(".")
        action = codename.split("_", 1)[0]
        if app_label not in JOURNEY_APPS or model_key(key) in _AGENT_HIDDEN:
            continue
        if action == "view" or (action == "change" and model_key(key) in _AGENT_CHANGE):
            agents.add(key)
    agents |= _AGENT_EXTRA
    supervisors = set(agents) | _SUPERVISOR_EXTRA
    for key in by_key:
        if model_key(key) in _REFERENCE_DATA and key.split(".")[1].split("_", 1)[0] in ("add", "change"):
            supervisors.add(key)
    return {
        AGENTS: [by_key[k] for k in sorted(agents) if k in by_key],
        SUPERVISORS: [by_key[k] for k in sorted(supervisors) if k in by_key],
        ADMINISTRATORS: [by_key[k] for k in sorted(_ADMINISTRATOR) if k in by_key],
    }


def sync_roles(group_model, permission_model) -> None:
    for name, permissions in role_permissions(permission_model).items():
        group, _created = group_model.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def group_names(user) -> set[str]:
    """The user's group names, read once per request (cached on the user object)."""
    cached = getattr(user, "backoffice_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user.backoffice_group_names = cached
    return cached


def role_label(user) -> str:
    names = group_names(user)
    roles = [name for name in ROLES if name in names]
    if user.is_superuser:
        roles.append("superuser")
    return ", ".join(roles)
