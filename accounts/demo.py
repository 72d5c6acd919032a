"""Demo data of the shared model: TNS categories (DOMAIN §1.2), the SMIG, agents, a first TNS."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from .models import (
    IdentityDocumentType,
    InsuredPerson,
    PhoneOperator,
    ProfessionalCategory,
    ProfessionalSubCategory,
    Regime,
    SmigValue,
    User,
)

COMMON_DOCUMENTS = "Copie de la CNIE ou de la carte de séjour\nRIB (relevé d'identité bancaire)\n"
COMMON_DOCUMENTS_AR = "نسخة من البطاقة الوطنية أو بطاقة الإقامة\nرقم الحساب البنكي (RIB)\n"

# code, name, name_ar, liaison body, documents, documents_ar, [(code, name, name_ar, multiple)]
CATEGORIES = [
    (
        "commercants-artisans",
        "Commerçants et artisans (CPU / RNS)",
        "التجار والحرفيون (المساهمة المهنية الموحدة)",
        "Direction Générale des Impôts",
        COMMON_DOCUMENTS + "Attestation d'inscription à la taxe professionnelle ou à la CPU",
        COMMON_DOCUMENTS_AR + "شهادة التسجيل في الرسم المهني أو المساهمة المهنية الموحدة",
        [("cpu-rns", "Contribution professionnelle unique / résultat net simplifié", "المساهمة المهنية الموحدة", "1")],
    ),
    (
        "medecins",
        "Médecins",
        "الأطباء",
        "Ministère de la Santé",
        COMMON_DOCUMENTS + "Attestation d'inscription au tableau de l'Ordre national des médecins",
        COMMON_DOCUMENTS_AR + "شهادة التسجيل في جدول الهيئة الوطنية للأطباء",
        [
            ("medecins-generalistes", "Médecins généralistes", "الأطباء العامون", "4"),
            ("medecins-specialistes", "Médecins spécialistes", "الأطباء المتخصصون", "5.5"),
        ],
    ),
    (
        "dentistes",
        "Médecins dentistes",
        "أطباء الأسنان",
        "Ministère de la Santé",
        COMMON_DOCUMENTS + "Attestation d'inscription à l'Ordre des médecins dentistes",
        COMMON_DOCUMENTS_AR + "شهادة التسجيل في هيئة أطباء الأسنان",
        [
            (
                "dentistes-debut-fin",
                "Moins de 5 ans ou plus de 35 ans d'exercice",
                "أقل من 5 سنوات أو أكثر من 35 سنة من الممارسة",
                "3",
            )
        ],
    ),
    (
        "pharmaciens",
        "Pharmaciens",
        "الصيادلة",
        "Ministère de la Santé",
        COMMON_DOCUMENTS + "Autorisation d'exercice de la pharmacie",
        COMMON_DOCUMENTS_AR + "رخصة مزاولة الصيدلة",
        [("pharmaciens", "Pharmaciens d'officine", "صيادلة الصيدليات", "3")],
    ),
    (
        "architectes",
        "Architectes",
        "المهندسون المعماريون",
        "Conseil national de l'Ordre des architectes",
        COMMON_DOCUMENTS + "Attestation d'inscription à l'Ordre des architectes\nCopie du diplôme d'architecte",
        COMMON_DOCUMENTS_AR + "شهادة التسجيل في هيئة المهندسين المعماريين\nنسخة من دبلوم الهندسة المعمارية",
        [
            ("architectes-moins-13", "Diplôme depuis moins de 13 ans", "دبلوم منذ أقل من 13 سنة", "3"),
            ("architectes-13-37", "Diplôme depuis 13 à 37 ans", "دبلوم منذ 13 إلى 37 سنة", "5.5"),
            ("architectes-plus-37", "Diplôme depuis plus de 37 ans", "دبلوم منذ أكثر من 37 سنة", "4"),
        ],
    ),
    (
        "copistes-traducteurs",
        "Copistes et traducteurs agréés",
        "النساخ والتراجمة المقبولون",
        "Ministère de la Justice",
        COMMON_DOCUMENTS + "Décision de nomination ou d'agrément",
        COMMON_DOCUMENTS_AR + "قرار التعيين أو الاعتماد",
        [
            (
                "copistes-centres",
                "Copistes près les centres de juges résidents",
                "النساخ لدى مراكز القضاة المقيمين",
                "1.2",
            ),
            (
                "copistes-tribunaux",
                "Copistes près les tribunaux de première instance",
                "النساخ لدى المحاكم الابتدائية",
                "1.6",
            ),
            (
                "traducteurs-agrees",
                "Traducteurs agréés près les juridictions",
                "التراجمة المقبولون لدى المحاكم",
                "1.75",
            ),
        ],
    ),
    (
        "huissiers",
        "Huissiers de justice",
        "المفوضون القضائيون",
        "Ordre national des huissiers de justice",
        COMMON_DOCUMENTS + "Décision de nomination en qualité d'huissier de justice",
        COMMON_DOCUMENTS_AR + "قرار التعيين بصفة مفوض قضائي",
        [("huissiers", "Huissiers de justice", "المفوضون القضائيون", "1.9")],
    ),
    (
        "guides-touristiques",
        "Guides touristiques",
        "المرشدون السياحيون",
        "Ministère du Tourisme",
        COMMON_DOCUMENTS + "Carte professionnelle de guide touristique",
        COMMON_DOCUMENTS_AR + "البطاقة المهنية للمرشد السياحي",
        [("guides", "Guides touristiques", "المرشدون السياحيون", "1.5")],
    ),
]

SMIG_2021 = Decimal("2828.71")


def seed_reference_data() -> None:
    SmigValue.objects.update_or_create(
        valid_from=date(2021, 1, 1),
        defaults={"monthly_amount": SMIG_2021, "source": "14.81 DH/h × 191 h (décrets TNS, DOMAIN §1.1)"},
    )
    for order, (code, name, name_ar, liaison, docs, docs_ar, subs) in enumerate(CATEGORIES):
        category, _ = ProfessionalCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_ar": name_ar,
                "liaison_body": liaison,
                "required_documents": docs,
                "required_documents_ar": docs_ar,
                "display_order": order * 10,
            },
        )
        for sub_code, sub_name, sub_name_ar, multiple in subs:
            ProfessionalSubCategory.objects.update_or_create(
                code=sub_code,
                defaults={
                    "category": category,
                    "name": sub_name,
                    "name_ar": sub_name_ar,
                    "base_smig_multiple": Decimal(multiple),
                },
            )


def birth_date_for_age(years: int, months: int = 0, *, today: date | None = None) -> date:
    """The birth date of someone who is exactly `years` y `months` m old today (minus a few days)."""
    today = today or timezone.localdate()
    total = today.year * 12 + (today.month - 1) - (years * 12 + months)
    year, month = divmod(total, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


def ensure_person(number: str, **fields) -> InsuredPerson:
    defaults = {
        "id_document_type": IdentityDocumentType.CNIE,
        "id_document_expiry": date(2031, 6, 30),
        "phone_operator": PhoneOperator.MAROC_TELECOM,
        "address": "Casablanca",
        **fields,
    }
    person, _ = InsuredPerson.objects.update_or_create(immatriculation_number=number, defaults=defaults)
    return person


def ensure_account(person: InsuredPerson, password: str = DEMO_PASSWORD) -> User:
    user = User.objects.filter(insured=person).first() or User(username=person.immatriculation_number, insured=person)
    user.username = person.immatriculation_number
    user.set_password(password)
    user.save()
    return user


def seed_agents() -> list[DemoAccount]:
    """One staff member per role (backoffice.roles); none is superuser."""
    from django.contrib.auth.models import Permission

    from backoffice.roles import ADMINISTRATORS, AGENTS, SUPERVISORS, sync_roles

    sync_roles(Group, Permission)  # the migration made them; a flushed test database has none
    created = []
    for username, role in (("agent", AGENTS), ("superviseur", SUPERVISORS), ("administrateur", ADMINISTRATORS)):
        user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.is_staff = True
        user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        created.append(DemoAccount(f"Agent ({role}) — /admin/", username, DEMO_PASSWORD))
    return created


# «Créer un compte» (issue 16 §1): people with a CNSS number and no account yet. Re-running seed_demo
# removes the account each of them created, so the journey can be walked again.
SIGNUP_PEOPLE = [
    # number, document, age, last, first, last_ar, first_ar, phone, regime, label
    ("100700001", "BJ700001", 34, "BERRADA", "Youssef", "برادة", "يوسف", "+212661700001", Regime.EMPLOYEE, "salarié"),
    (
        "100700002",
        "BJ700002",
        51,
        "FASSI",
        "Amina",
        "الفاسي",
        "أمينة",
        "+212661700002",
        Regime.EMPLOYEE,
        "ancien salarié",
    ),
    (
        "100700003",
        "BJ700003",
        67,
        "OUAZZANI",
        "Driss",
        "الوزاني",
        "إدريس",
        "+212661700003",
        Regime.PENSIONER,
        "pensionné",
    ),
    ("100700004", "BJ700004", 43, "TAHIRI", "Khadija", "الطاهري", "خديجة", "", Regime.EMPLOYEE, "sans téléphone"),
]


def seed_signup_people() -> list[DemoAccount]:
    rows = []
    for number, document, age, last, first, last_ar, first_ar, phone, regime, label in SIGNUP_PEOPLE:
        birth = birth_date_for_age(age, 2)
        person = ensure_person(
            number,
            id_document_number=document,
            birth_date=birth,
            last_name=last,
            first_name=first,
            last_name_ar=last_ar,
            first_name_ar=first_ar,
            phone=phone,
            regime=regime,
            receives_pension=regime == Regime.PENSIONER,
            declared_days=0 if regime == Regime.PENSIONER else 2400,
        )
        User.objects.filter(insured=person).delete()
        where = "code SMS sur /telephone-demo/" if phone else "aucun SMS : la page indique l'agence"
        rows.append(
            DemoAccount(
                f"Créer un compte : {label}",
                number,
                "—",
                f"ou CNIE {document}, expiration {person.id_document_expiry:%d/%m/%Y}, né le {birth:%d/%m/%Y}; {where}",
            )
        )
    return rows


def seed() -> list[DemoAccount]:
    seed_reference_data()
    tns = ensure_person(
        "100000001",
        id_document_number="BE100001",
        birth_date=birth_date_for_age(45),
        last_name="ALAOUI",
        first_name="Karim",
        last_name_ar="العلوي",
        first_name_ar="كريم",
        phone="+212612000001",
        email="karim.alaoui@example.ma",
        regime=Regime.TNS,
        tns_subcategory=ProfessionalSubCategory.objects.get(code="medecins-generalistes"),
        pays_contributions_directly=True,
    )
    ensure_account(tns)
    return [
        DemoAccount("TNS sans RIB (étape RIB, pension < 63 ans)", tns.immatriculation_number, DEMO_PASSWORD),
        DemoAccount(
            "Retrouver mon numéro d'immatriculation",
            "—",
            "—",
            f"CNIE {tns.id_document_number}, né le {tns.birth_date:%d/%m/%Y}; code SMS sur /telephone-demo/",
        ),
        *seed_signup_people(),
        *seed_agents(),
    ]
