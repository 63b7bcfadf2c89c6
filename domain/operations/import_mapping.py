"""Which column of an import file holds which field of a registration, guessed from headers.

Organisers' spreadsheets come from many tools and languages; a header is compared
by its letters and digits alone (accents, case, spaces and punctuation dropped),
so "E-mail", "e_mail" and "Email" are one name, as are "Prénom" and "prenom".
The guess is a suggestion shown with the preview: the organiser confirms or
corrects it before anything is imported.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Each field's names in English, French, German and Spanish, in compared form.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": (
        "firstname", "givenname", "givennames", "forename", "first",
        "prenom", "vorname", "nombre", "nombrepila",
    ),
    "last_name": (
        "lastname", "surname", "familyname", "last",
        "nom", "nomdefamille", "nachname", "familienname", "apellido", "apellidos",
    ),
    "email": (
        "email", "emailaddress", "mail", "mailaddress",
        "courriel", "adressemail", "adresseemail", "adressecourriel",
        "emailadresse", "correo", "correoelectronico",
    ),
    "phone": (
        "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone",
        "tel", "telephone", "portable", "telefon", "telefonnummer", "handy", "mobil",
        "telefono", "movil", "celular",
    ),
    "date_of_birth": (
        "dateofbirth", "dob", "birthday", "birthdate",
        "datedenaissance", "naissance", "geburtsdatum", "geburtstag", "fechadenacimiento",
    ),
    "organisation": (
        "organisation", "organization", "company", "employer", "affiliation",
        "societe", "entreprise", "firma", "unternehmen", "empresa", "organizacion",
    ),
    "nationality": (
        "nationality", "country", "nationalite", "pays", "nationalitat",
        "staatsangehorigkeit", "land", "nacionalidad", "pais",
    ),
    "document_number": (
        "documentnumber", "document", "passport", "passportnumber", "idnumber", "idcard",
        "passeport", "numerodepasseport", "numerodocument", "piecedidentite",
        "reisepass", "ausweis", "ausweisnummer", "passnummer",
        "pasaporte", "documento", "numerodedocumento", "dni",
    ),
    "category": (
        "category", "tickettype", "ticket", "registrationtype", "participanttype",
        "categorie", "kategorie", "tickettyp", "categoria", "tipodeentrada",
    ),
}  # fmt: skip

IMPORT_FIELDS = tuple(SYNONYMS)

_FIELD_OF = {name: field for field, names in SYNONYMS.items() for name in names}


def compared(header: str) -> str:
    """A header as headers are compared: its letters and digits, unaccented, case-folded."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def suggested_mapping(headers: Iterable[str]) -> dict[str, str | None]:
    """Each header's field, or None; a field goes to the first header that names it."""
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        field = _FIELD_OF.get(compared(header))
        if field is None or field in taken:
            mapping[header] = None
            continue
        taken.add(field)
        mapping[header] = field
    return mapping
