"""Import columns are matched to registration fields by their headers, in four languages."""

from __future__ import annotations

import pytest

from domain.operations.import_check import CATEGORY
from domain.operations.import_mapping import IMPORT_FIELDS, suggested_mapping
from domain.registration.person import PERSONAL_FIELDS

SAID = {
    "first_name": ["First name", "Given name", "Prénom", "Vorname", "Nombre", "first_name"],
    "last_name": ["Surname", "Last name", "Nom", "Nachname", "Apellido", "LAST_NAME"],
    "email": ["E-mail", "Email address", "Mail", "Courriel", "e_mail", "Correo electrónico"],
    "phone": ["Phone", "Mobile", "Tel", "Téléphone", "Telefon", "Teléfono"],
    "date_of_birth": ["Date of birth", "DOB", "Birthday", "Date de naissance", "Geburtsdatum"],
    "organisation": ["Company", "Organisation", "Organization", "Société", "Firma", "Empresa"],
    "nationality": ["Nationality", "Country", "Nationalité", "Staatsangehörigkeit", "País"],
    "document_number": ["Passport", "Document", "ID number", "Passeport", "Reisepass"],
    "category": ["Category", "Ticket type", "Catégorie", "Kategorie", "Categoría"],
}


@pytest.mark.parametrize(("field", "header"), [(f, h) for f, hs in SAID.items() for h in hs])
def test_a_header_in_a_usual_wording_suggests_its_field(field: str, header: str) -> None:
    assert suggested_mapping([header]) == {header: field}


def test_every_field_a_registration_takes_can_be_imported() -> None:
    assert set(IMPORT_FIELDS) == {*PERSONAL_FIELDS, CATEGORY}


def test_an_unknown_header_and_a_second_one_for_a_field_suggest_nothing() -> None:
    assert suggested_mapping(["Email", "Notes", "Mail"]) == {
        "Email": "email",
        "Notes": None,
        "Mail": None,
    }
