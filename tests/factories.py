from datetime import date

import factory

from accounts.models import IdentityDocumentType, InsuredPerson, PhoneOperator, Regime, User


class InsuredPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuredPerson

    immatriculation_number = factory.Sequence(lambda n: f"{200000000 + n}")
    id_document_type = IdentityDocumentType.CNIE
    id_document_number = factory.Sequence(lambda n: f"AB{100000 + n}")
    id_document_expiry = date(2031, 12, 31)
    birth_date = date(1980, 5, 17)
    last_name = "BENNANI"
    first_name = factory.Sequence(lambda n: f"Salma{n}")
    last_name_ar = "بناني"
    first_name_ar = "سلمى"
    address = "12 rue des Oudayas, Rabat"
    phone = factory.Sequence(lambda n: f"+2126610{n:05d}")
    phone_operator = PhoneOperator.MAROC_TELECOM
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.ma")
    regime = Regime.EMPLOYEE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.LazyAttribute(lambda o: o.insured.immatriculation_number if o.insured else "agent")
    insured = factory.SubFactory(InsuredPersonFactory)
    password = factory.PostGenerationMethodCall("set_password", "Un-mot-de-passe-solide-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


PASSWORD = "Un-mot-de-passe-solide-2026"
