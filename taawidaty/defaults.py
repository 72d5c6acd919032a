"""The documents asked for by default (DOMAIN §3), and the default physical-control rule.

Agents edit both in the admin; `load_defaults()` only creates what is missing (idempotent).
"""

# (key order, name, name_ar, hint, hint_ar, for_ordinary, for_mining)
DEFAULT_DOCUMENTS = [
    (
        10,
        "Demande de remboursement des cotisations salariales (formulaire 310-1-32), signature légalisée",
        "طلب استرجاع الاشتراكات الأجرية (المطبوع 310-1-32)، مصادق على صحة الإمضاء",
        "Le formulaire rempli, signé et légalisé.",
        "المطبوع معبأ وموقع ومصادق على صحة الإمضاء.",
        True,
        True,
    ),
    (
        20,
        "Attestation de cessation d'activité ou déclaration sur l'honneur de cessation d'activité",
        "شهادة التوقف عن النشاط أو تصريح بالشرف بالتوقف عن النشاط",
        "",
        "",
        True,
        True,
    ),
    (
        30,
        "Copie de la CNIE (ou de la carte de séjour pour les étrangers)",
        "نسخة من البطاقة الوطنية للتعريف الإلكترونية (أو بطاقة الإقامة بالنسبة للأجانب)",
        "Le recto et le verso.",
        "الوجه والظهر.",
        True,
        True,
    ),
    (
        40,
        "Copie de la carte d'immatriculation CNSS",
        "نسخة من بطاقة التسجيل في الصندوق الوطني للضمان الاجتماعي",
        "",
        "",
        True,
        True,
    ),
    (
        50,
        "Attestation de travail minier couvrant au moins 5 années (certificat de l'employeur)",
        "شهادة العمل المنجمي تغطي 5 سنوات على الأقل (شهادة المشغل)",
        "Une ou plusieurs attestations réunies dans un seul fichier.",
        "شهادة واحدة أو أكثر مجمعة في ملف واحد.",
        False,
        True,
    ),
]


def load_defaults(document_model=None, rule_model=None) -> None:
    """Usable from a data migration (historical models) and from demo/test code (real models)."""
    if document_model is None or rule_model is None:
        from .models import PhysicalControlRule, RequiredDocument

        document_model, rule_model = RequiredDocument, PhysicalControlRule
    for order, name, name_ar, hint, hint_ar, ordinary, mining in DEFAULT_DOCUMENTS:
        document_model.objects.get_or_create(
            name=name,
            defaults={
                "name_ar": name_ar,
                "hint": hint,
                "hint_ar": hint_ar,
                "for_ordinary": ordinary,
                "for_mining": mining,
                "display_order": order,
            },
        )
    if not rule_model.objects.exists():
        rule_model.objects.create(
            name="Règle par défaut : demandes minières, et 10 % des autres demandes",
            always_for_mining=True,
            rate_percent=10,
        )
