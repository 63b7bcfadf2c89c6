"""Labelled people for measuring duplicate detection: who is who, and how their records differ.

N people (entities) become records: some people register once, some two to four times,
each later record corrupted the way real registrations differ (typos, swapped name order,
another script or romanisation of the same name, sound-alike spellings, nicknames,
initials, one of two surnames, missing fields, e-mail, phone, document-number and
date-of-birth variants). Hard negatives
are distinct people on purpose: twins and siblings sharing a surname, a phone, an e-mail
domain and (twins) a birth date, and many different people with one very common name.
Some people have one name only (the other is null, unless --two-names-only). Names come
from Faker's locales (the `bench` extra), Arabic ones from a short table of names with
their usual Latin spellings; phone numbers are valid numbers of the person's country
(phonenumbers).

The same seed gives the same records. A record has only the fields a registration takes
(POST /v1/events/{id}/participants). Run from the repository root::

    .venv/bin/python scripts/screening_people.py --entities 2000 --seed 7 > people.jsonl

One JSON line per record: {"entity": ..., "record": {...}, "kinds": [...]}, where kinds
names the corruptions applied to this record and the entity's hard-negative traits.
"""

# The romanisation tables hold Cyrillic and Greek letters that look like Latin ones on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import combinations

import phonenumbers
from anyascii import anyascii
from faker import Faker

# A record as a registration takes it: every field a string, or None when not given.
Record = dict[str, str | None]
Pair = frozenset[int]
FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "organisation",
    "nationality",
    "document_number",
)
OPTIONAL = ("phone", "date_of_birth", "organisation", "nationality", "document_number")
# How often a person gives each optional field at all.
PRESENCE = {
    "phone": 0.75,
    "date_of_birth": 0.8,
    "organisation": 0.6,
    "nationality": 0.85,
    "document_number": 0.45,
}

# Corruptions of a later record, and the traits of hard-negative people.
# In the order they are applied: a new script first, a slip of the keyboard last.
NAME_KINDS = (
    "transliteration",
    "nickname",
    "accents",
    "spelling",
    "initial",
    "compound_surname",
    "swap_order",
    "typo",
)
FIELD_KINDS = (
    "missing",
    "email_case",
    "email_dots",
    "email_plus",
    "email_provider",
    "phone_format",
    "document_format",
    "dob_swap",
    "dob_typo",
)
CORRUPTIONS = NAME_KINDS + FIELD_KINDS
RARE = {"transliteration": 3, "nickname": 3, "compound_surname": 4, "accents": 2}
TRAITS = ("twin", "sibling", "common_name", "one_name")


@dataclass(frozen=True)
class Locale:
    faker: str
    countries: tuple[str, ...]
    providers: tuple[str, ...]
    weight: int
    script: str = "latin"  # latin, cyrillic, greek or arabic: the name as the person writes it


LOCALES = {
    "en_US": Locale("en_US", ("US",), ("gmail.com", "yahoo.com", "outlook.com"), 3),
    "en_GB": Locale("en_GB", ("GB",), ("gmail.com", "hotmail.co.uk", "btinternet.com"), 2),
    "de_DE": Locale("de_DE", ("DE", "AT"), ("gmail.com", "web.de", "gmx.de"), 2),
    "fr_FR": Locale("fr_FR", ("FR", "BE"), ("gmail.com", "orange.fr", "free.fr"), 2),
    "es_ES": Locale("es_ES", ("ES", "MX", "AR"), ("gmail.com", "hotmail.es", "yahoo.es"), 2),
    "it_IT": Locale("it_IT", ("IT",), ("gmail.com", "libero.it", "virgilio.it"), 1),
    "pt_BR": Locale("pt_BR", ("BR", "PT"), ("gmail.com", "uol.com.br", "hotmail.com"), 1),
    "pl_PL": Locale("pl_PL", ("PL",), ("gmail.com", "wp.pl", "interia.pl"), 1),
    "tr_TR": Locale("tr_TR", ("TR",), ("gmail.com", "hotmail.com", "yandex.com"), 1),
    "nl_NL": Locale("nl_NL", ("NL",), ("gmail.com", "ziggo.nl", "kpnmail.nl"), 1),
    "en_IN": Locale("en_IN", ("IN",), ("gmail.com", "yahoo.co.in", "rediffmail.com"), 2),
    "zh_CN": Locale("zh_CN", ("CN", "SG"), ("gmail.com", "qq.com", "163.com"), 2),
    "ru_RU": Locale("ru_RU", ("RU",), ("gmail.com", "mail.ru", "yandex.ru"), 2, "cyrillic"),
    "uk_UA": Locale("uk_UA", ("UA",), ("gmail.com", "ukr.net", "i.ua"), 1, "cyrillic"),
    "el_GR": Locale("el_GR", ("GR", "CY"), ("gmail.com", "yahoo.gr", "otenet.gr"), 1, "greek"),
    "ar": Locale(
        "en_US", ("EG", "MA", "JO", "AE", "SA", "LB"), ("gmail.com", "hotmail.com"), 2, "arabic"
    ),
}
ONE_NAME_LOCALE = Locale("id_ID", ("ID",), ("gmail.com", "yahoo.co.id"), 0)
OTHER_PROVIDERS = ("outlook.com", "icloud.com", "proton.me", "aol.com", "gmx.net")

# Arabic names in Arabic script with the Latin spellings people use for them (first: usual).
ARABIC_GIVEN = {
    "M": (
        ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohamad")),
        ("أحمد", ("Ahmed", "Ahmad")),
        ("علي", ("Ali",)),
        ("حسن", ("Hassan", "Hasan")),
        ("حسين", ("Hussein", "Hussain", "Husayn")),
        ("عمر", ("Omar", "Umar")),
        ("يوسف", ("Youssef", "Yusuf", "Yousef")),
        ("خالد", ("Khaled", "Khalid")),
        ("إبراهيم", ("Ibrahim", "Ebrahim")),
        ("مصطفى", ("Mustafa", "Moustafa")),
        ("كريم", ("Karim", "Kareem")),
        ("سعيد", ("Said", "Saeed")),
        ("عبدالله", ("Abdullah", "Abdallah")),
        ("طارق", ("Tariq", "Tarek")),
    ),
    "F": (
        ("فاطمة", ("Fatima", "Fatma")),
        ("عائشة", ("Aisha", "Aicha")),
        ("مريم", ("Mariam", "Maryam")),
        ("ليلى", ("Layla", "Leila")),
        ("نور", ("Nour", "Noor")),
        ("سلمى", ("Salma",)),
        ("زينب", ("Zainab", "Zeinab")),
        ("ياسمين", ("Yasmin", "Yasmine")),
        ("هدى", ("Huda", "Hoda")),
        ("رانيا", ("Rania",)),
    ),
}
ARABIC_FAMILY = (
    ("حداد", ("Haddad",)),
    ("خليل", ("Khalil",)),
    ("ناصر", ("Nasser", "Nasir")),
    ("صالح", ("Saleh", "Salih")),
    ("منصور", ("Mansour", "Mansur")),
    ("حمدان", ("Hamdan",)),
    ("عزيز", ("Aziz",)),
    ("قاسم", ("Qasim", "Kassem")),
    ("ياسين", ("Yassin", "Yasin")),
    ("درويش", ("Darwish", "Darwiche")),
    ("عباس", ("Abbas",)),
    ("سليمان", ("Suleiman", "Sulaiman")),
    ("الحسيني", ("Al-Husseini", "El Husseini")),
    ("المصري", ("Al-Masri", "El Masry")),
    ("الشامي", ("Al-Shami", "El Shami")),
    ("بكر", ("Bakr", "Bakir")),
    ("عيسى", ("Issa", "Eissa")),
    ("جابر", ("Jaber", "Jabir")),
    ("عثمان", ("Othman", "Osman")),
    ("الخطيب", ("Al-Khatib", "El Khatib")),
    ("نجار", ("Najjar", "Naggar")),
    ("زيدان", ("Zeidan", "Zidane")),
    ("العلي", ("Al-Ali",)),
    ("فرح", ("Farah",)),
    ("علي", ("Ali",)),
)

# Cyrillic and Greek letters in three romanisations: ICAO 9303 (passports), BGN/PCGN-like,
# and a loose one people type themselves.
_CYRILLIC = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g",), "д": ("d",), "е": ("e", "e", "ye"),
    "ё": ("e", "yo", "jo"), "ж": ("zh",), "з": ("z",), "и": ("i",), "й": ("i", "y", "j"),
    "к": ("k",), "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",),
    "с": ("s",), "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("kh", "kh", "h"),
    "ц": ("ts", "ts", "c"), "ч": ("ch",), "ш": ("sh",), "щ": ("shch", "shch", "sch"),
    "ъ": ("ie", "", ""), "ы": ("y",), "ь": ("", "", ""), "э": ("e",), "ю": ("iu", "yu", "ju"),
    "я": ("ia", "ya", "ja"), "і": ("i",), "ї": ("i", "yi", "ji"), "є": ("ie", "ye", "je"),
    "ґ": ("g",), "'": ("", "", ""), "’": ("", "", ""),
}  # fmt: skip
_UKRAINIAN = {"г": ("h", "h", "g"), "и": ("y", "y", "i")}
_GREEK = {
    "α": ("a",), "β": ("v",), "γ": ("g", "g", "gh"), "δ": ("d",), "ε": ("e",), "ζ": ("z",),
    "η": ("i",), "θ": ("th",), "ι": ("i",), "κ": ("k",), "λ": ("l",), "μ": ("m",),
    "ν": ("n",), "ξ": ("x", "ks", "x"), "ο": ("o",), "π": ("p",), "ρ": ("r",), "σ": ("s",),
    "ς": ("s",), "τ": ("t",), "υ": ("y", "i", "y"), "φ": ("f", "ph", "f"),
    "χ": ("ch", "kh", "h"), "ψ": ("ps",), "ω": ("o",),
}  # fmt: skip
_GREEK_PAIRS = {"ου": ("ou", "u", "ou"), "μπ": ("mp", "b", "b"), "ντ": ("nt", "d", "nt")}
SCHEMES = 3

# English (and a few other) given names and the short forms people register with.
NICKNAMES = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Richard": ("Rick", "Dick", "Rich"),
    "James": ("Jim", "Jimmy"),
    "John": ("Jack", "Johnny"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Katherine": ("Kate", "Kathy"),
    "Michael": ("Mike", "Mick"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe", "Joey"),
    "Charles": ("Charlie", "Chuck"),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Anthony": ("Tony",),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Alexander": ("Alex", "Sandy"),
    "Nicholas": ("Nick",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Susan": ("Sue", "Suzy"),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky", "Tori"),
    "Andrew": ("Andy", "Drew"),
    "Steven": ("Steve",),
    "Timothy": ("Tim",),
    "Jonathan": ("Jon",),
    "Henry": ("Harry", "Hank"),
    "Frederick": ("Fred", "Freddie"),
    "Francisco": ("Paco", "Pancho"),
    "José": ("Pepe",),
    "Giuseppe": ("Beppe", "Peppe"),
    "Johann": ("Hans",),
    "Александр": ("Саша",),
    "Дмитрий": ("Дима",),
    "Екатерина": ("Катя",),
    "Mohammed": ("Mo", "Hamada"),
}
NICKNAME_LOCALES = {"en_US", "en_GB"}
# Where many people carry two surnames, and often give only the first, or hyphenate them.
COMPOUND_SURNAME_LOCALES = {"es_ES", "pt_BR"}

# Very common names many distinct people share: (locale, given, family).
COMMON_NAMES = (
    ("en_US", "John", "Smith", "M"),
    ("en_GB", "David", "Jones", "M"),
    ("es_ES", "María", "García", "F"),
    ("es_ES", "José", "Rodríguez", "M"),
    ("zh_CN", "Wei", "Zhang", "M"),
    ("zh_CN", "Li", "Wang", "F"),
    ("ar", "محمد", "علي", "M"),
    ("ru_RU", "Александр", "Иванов", "M"),
    ("de_DE", "Thomas", "Müller", "M"),
    ("en_IN", "Rahul", "Kumar", "M"),
)


@dataclass(frozen=True)
class Identity:
    """The truth about one person: names in their own script and in Latin letters."""

    entity: str
    locale: str
    gender: str
    given: str
    family: str
    given_latin: str
    family_latin: str
    born: date
    email_local: str
    email_domain: str
    phone: str  # E.164
    organisation: str
    nationality: str
    document: str
    gives: frozenset[str]  # the optional fields this person fills in
    traits: tuple[str, ...] = ()
    latin_spellings: tuple[str, ...] = ()  # other Latin forms of the given name (Arabic)
    scheme: int = 0  # romanisation the person's passport uses


@dataclass(frozen=True)
class Labelled:
    """One registration's details and whose they are."""

    entity: str
    record: Record
    kinds: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        line = {"entity": self.entity, "record": self.record, "kinds": list(self.kinds)}
        return json.dumps(line, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- text


def romanised(text: str, script: str, scheme: int, locale: str = "") -> str:
    """The name in Latin letters by one romanisation scheme (0: ICAO 9303)."""
    if script == "arabic":
        return anyascii(text)
    table = dict(_GREEK if script == "greek" else _CYRILLIC)
    if locale == "uk_UA":
        table.update(_UKRAINIAN)
    pairs = _GREEK_PAIRS if script == "greek" else {}
    plain = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ) if script == "greek" else unicodedata.normalize("NFC", text)  # fmt: skip
    out: list[str] = []
    i = 0
    while i < len(plain):
        two = plain[i : i + 2].lower()
        if two in pairs:
            letters, i = _pick(pairs[two], scheme), i + 2
            upper = plain[i - 2].isupper()
        else:
            c = plain[i]
            i += 1
            options = table.get(c.lower())
            if options is None:
                out.append(c)
                continue
            letters, upper = _pick(options, scheme), c.isupper()
        out.append(letters.capitalize() if upper else letters)
    return "".join(out)


def _pick(options: tuple[str, ...], scheme: int) -> str:
    return options[scheme] if scheme < len(options) else options[0]


# Spellings that sound alike, the way a name is written down from hearing it.
SOUNDALIKES = (
    ("ph", "f"),
    ("ck", "k"),
    ("th", "t"),
    ("ie", "y"),
    ("ei", "ey"),
    ("ou", "u"),
    ("tz", "z"),
    ("y", "i"),
    ("c", "k"),
    ("ll", "l"),
    ("nn", "n"),
    ("ss", "s"),
    ("tt", "t"),
    ("mm", "m"),
)


def spelt(name: str) -> str:
    """The name spelt as it sounds by the first rule that changes it (or unchanged)."""
    for written, heard in SOUNDALIKES:
        at = name.find(written, 1)  # a name's first letter is rarely misheard
        if at > 0:
            return name[:at] + heard + name[at + len(written) :]
    return name


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def ascii_word(text: str) -> str:
    """Lower-case letters and digits of a name, for an e-mail's local part."""
    return "".join(c for c in anyascii(text).lower() if c.isalnum())


def typo(rng: random.Random, word: str) -> str:
    """One keystroke wrong: a letter inserted, deleted, replaced, or two swapped."""
    if len(word) < 3:
        return word + (word[-1] if word else "a")
    i = rng.randrange(1, len(word) - 1)
    # A slip stays in the name's own script.
    letters = "aeioulnrstmdkh" if word.isascii() else "".join(sorted(set(word.lower()) - {" "}))
    kind = rng.choice(("insert", "delete", "substitute", "transpose"))
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        replacement = rng.choice([c for c in letters if c != word[i].lower()] or ["a"])
        return word[:i] + replacement + word[i + 1 :]
    if word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


# --------------------------------------------------------------------------- people


class Generator:
    """Identities and their records, from one seeded random source."""

    def __init__(self, seed: int, *, one_name: bool = True) -> None:
        self.rng = random.Random(seed)
        self.one_name = one_name
        self.fakers: dict[str, Faker] = {}
        self.seed = seed
        self.count = 0
        self.mailboxes: set[str] = set()
        self.locale_names = list(LOCALES)
        self.locale_weights = [LOCALES[name].weight for name in self.locale_names]

    def faker(self, name: str) -> Faker:
        if name not in self.fakers:
            fake = Faker(name)
            fake.seed_instance(self.seed * 7919 + len(self.fakers))
            self.fakers[name] = fake
        return self.fakers[name]

    def next_entity(self) -> str:
        self.count += 1
        return f"p{self.count:06d}"

    # ------------------------------------------------------------------ identities

    def identity(self, locale: str | None = None) -> Identity:
        rng = self.rng
        locale = locale or rng.choices(self.locale_names, self.locale_weights)[0]
        spec = LOCALES[locale]
        gender = rng.choice("MF")
        given, family, spellings = self._names(locale, gender)
        scheme = rng.randrange(SCHEMES)
        if spec.script == "arabic":
            given_latin = spellings[0]
            family_latin = next(latin[0] for arabic, latin in ARABIC_FAMILY if arabic == family)
        elif spec.script == "latin":
            given_latin, family_latin = given, family
        else:
            given_latin = romanised(given, spec.script, scheme, locale)
            family_latin = romanised(family, spec.script, scheme, locale)
        country = rng.choice(spec.countries)
        gives = frozenset(f for f in OPTIONAL if rng.random() < PRESENCE[f])
        return Identity(
            entity=self.next_entity(),
            locale=locale,
            gender=gender,
            given=given,
            family=family,
            given_latin=given_latin,
            family_latin=family_latin,
            born=self.birth_date(),
            email_local=self.email_local(given_latin, family_latin),
            email_domain=rng.choice(spec.providers),
            phone=self.phone(country),
            organisation=self.faker("en_US" if spec.faker == "zh_CN" else spec.faker).company(),
            nationality=country,
            document=self.document(),
            gives=gives,
            latin_spellings=spellings,
            scheme=scheme,
        )

    def _names(self, locale: str, gender: str) -> tuple[str, str, tuple[str, ...]]:
        rng = self.rng
        if LOCALES[locale].script == "arabic":
            given, spellings = rng.choice(ARABIC_GIVEN[gender])
            return given, rng.choice(ARABIC_FAMILY)[0], spellings
        fake = self.faker(LOCALES[locale].faker)
        if locale == "zh_CN":
            return fake.first_romanized_name(), fake.last_romanized_name(), ()
        suffix = "male" if gender == "M" else "female"
        given = getattr(fake, f"first_name_{suffix}")()
        if locale in NICKNAME_LOCALES and rng.random() < 0.3:
            given = rng.choice([n for n in NICKNAMES if n.isascii() and n != "Mohammed"])
        family = getattr(fake, f"last_name_{suffix}", fake.last_name)()
        if locale in COMPOUND_SURNAME_LOCALES and " " not in family and rng.random() < 0.5:
            family = f"{family} {fake.last_name()}"  # the father's and the mother's surname
        return given, family, ()

    def birth_date(self) -> date:
        return date(1945, 1, 1) + timedelta(days=self.rng.randrange(365 * 62))

    def email_local(self, given: str, family: str) -> str:
        g, f = ascii_word(given) or "x", ascii_word(family) or "x"
        style = self.rng.randrange(5)
        number = str(self.rng.randrange(1, 999))
        forms = (f"{g}.{f}", f"{g[0]}{f}", f"{g}{f}{number}", f"{g}_{f}", f"{f}.{g}{number}")
        return self.unique(forms[style])

    def unique(self, local: str) -> str:
        """An e-mail local part no other person has: a mailbox is one person's."""
        candidate = local
        while candidate in self.mailboxes:
            candidate = f"{local}{self.rng.randrange(10, 9999)}"
        self.mailboxes.add(candidate)
        return candidate

    def phone(self, country: str) -> str:
        """A valid mobile number of the country, in E.164."""
        example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        keep = max(2, len(national) - 6)
        for _ in range(20):
            digits = national[:keep] + "".join(
                str(self.rng.randrange(10)) for _ in range(len(national) - keep)
            )
            candidate = phonenumbers.parse(f"+{example.country_code}{digits}")
            if phonenumbers.is_valid_number(candidate):
                break
        else:
            candidate = example
        return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)

    def document(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if self.rng.random() < 0.5:
            head = "".join(self.rng.choice(letters) for _ in range(2))
            return head + "".join(str(self.rng.randrange(10)) for _ in range(7))
        return "".join(str(self.rng.randrange(10)) for _ in range(9))

    def relative(self, of: Identity, trait: str) -> Identity:
        """A twin or a sibling: same surname, phone and e-mail domain; another person."""
        rng = self.rng
        given = of.given
        spellings: tuple[str, ...] = ()
        while given == of.given:
            given, _family, spellings = self._names(of.locale, rng.choice("MF"))
        spec = LOCALES[of.locale]
        if spec.script == "arabic":
            given_latin = spellings[0]
        elif spec.script == "latin":
            given_latin = given
        else:
            given_latin = romanised(given, spec.script, of.scheme, of.locale)
        if trait == "twin":
            born = of.born
        else:
            years = rng.choice((-1, 1)) * rng.randrange(1, 7)
            born = of.born + timedelta(days=365 * years + rng.randrange(-150, 150))
        return replace(
            of,
            entity=self.next_entity(),
            given=given,
            given_latin=given_latin,
            born=born,
            email_local=self.email_local(given_latin, of.family_latin),
            document=self.document(),
            traits=(trait,),
            latin_spellings=spellings,
            gives=of.gives | {"phone"},
        )

    def family(self) -> list[Identity]:
        """Two or three relatives on one home phone and one family e-mail domain."""
        first = self.identity()
        domain = f"{ascii_word(first.family_latin) or 'home'}-family.net"
        first = replace(first, email_domain=domain, gives=first.gives | {"phone", "date_of_birth"})
        trait = self.rng.choice(("twin", "sibling"))
        first = replace(first, traits=(trait,))
        people = [first, self.relative(first, trait)]
        if self.rng.random() < 0.3:
            people.append(self.relative(first, "sibling"))
        return people

    def namesakes(self) -> list[Identity]:
        """Several distinct people with one very common name."""
        locale, given, family, gender = self.rng.choice(COMMON_NAMES)
        people = []
        for _ in range(self.rng.randrange(3, 7)):
            person = self.identity(locale)
            spellings = person.latin_spellings
            if LOCALES[locale].script == "arabic":
                spellings = dict(ARABIC_GIVEN[gender])[given]
                given_latin = spellings[0]
                family_latin = dict(ARABIC_FAMILY)[family][0]
            elif LOCALES[locale].script == "latin":
                given_latin, family_latin = given, family
            else:
                given_latin = romanised(given, "cyrillic", person.scheme, locale)
                family_latin = romanised(family, "cyrillic", person.scheme, locale)
            people.append(
                replace(
                    person,
                    gender=gender,
                    given=given,
                    family=family,
                    given_latin=given_latin,
                    family_latin=family_latin,
                    email_local=self.email_local(given_latin, family_latin),
                    latin_spellings=spellings,
                    traits=("common_name",),
                    gives=person.gives | {"date_of_birth"},
                )
            )
        return people

    def mononym(self) -> Identity:
        """A person with one name, as is usual in Indonesia and elsewhere."""
        fake = self.faker(ONE_NAME_LOCALE.faker)
        name = fake.first_name()
        return Identity(
            entity=self.next_entity(),
            locale="id_ID",
            gender=self.rng.choice("MF"),
            given=name,
            family="",
            given_latin=name,
            family_latin="",
            born=self.birth_date(),
            email_local=self.unique(ascii_word(name) or "x"),
            email_domain=self.rng.choice(ONE_NAME_LOCALE.providers),
            phone=self.phone("ID"),
            organisation=fake.company(),
            nationality="ID",
            document=self.document(),
            gives=frozenset(f for f in OPTIONAL if self.rng.random() < PRESENCE[f]),
            traits=("one_name",),
        )

    # ------------------------------------------------------------------ records

    def record(self, person: Identity, *, native: bool, phone_style: int) -> Record:
        """The details as this person would type them, before any corruption."""
        given, family = (person.given, person.family) if native else (
            person.given_latin, person.family_latin
        )  # fmt: skip
        if person.traits == ("one_name",) and self.rng.random() < 0.5:
            given, family = family, given  # the one name in either field
        values: Record = {
            "first_name": given or None,  # a person with one name leaves the other out
            "last_name": family or None,
            "email": f"{person.email_local}@{person.email_domain}",
            "phone": phone_text(person.phone, phone_style),
            "date_of_birth": person.born.isoformat(),
            "organisation": person.organisation,
            "nationality": person.nationality,
            "document_number": person.document,
        }
        for name in OPTIONAL:
            if name not in person.gives:
                values[name] = None
        return values

    def records(self, person: Identity) -> list[Labelled]:
        """The person's first registration and, for some, one to three more."""
        native_script = LOCALES.get(person.locale, ONE_NAME_LOCALE).script != "latin"
        native = native_script and self.rng.random() < 0.5
        style = self.rng.randrange(len(PHONE_STYLES))
        first = self.record(person, native=native, phone_style=style)
        out = [Labelled(person.entity, first, person.traits)]
        if self.rng.random() < 0.35:
            extra = self.rng.choices((1, 2, 3), (6, 3, 1))[0]
            for _ in range(extra):
                record, kinds = self.corrupted(person, first, native=native, phone_style=style)
                out.append(Labelled(person.entity, record, person.traits + kinds))
        return out

    def corrupted(
        self, person: Identity, base: Record, *, native: bool, phone_style: int
    ) -> tuple[Record, tuple[str, ...]]:
        """A later registration: one to three corruptions of the first."""
        rng = self.rng
        record = dict(base)
        applicable = [k for k in CORRUPTIONS if self._applies(k, person, record)]
        wanted = rng.choices((1, 2, 3), (5, 3, 2))[0]
        chosen: list[str] = []
        while applicable and len(chosen) < wanted:
            # Variants only some people can show are drawn more often where they can.
            kind = rng.choices(applicable, [RARE.get(k, 1) for k in applicable])[0]
            applicable.remove(kind)
            chosen.append(kind)
        done = []
        for kind in sorted(chosen, key=CORRUPTIONS.index):
            if self._corrupt(kind, person, record, native=native, phone_style=phone_style):
                done.append(kind)
        if not done:  # every chosen variant happened to change nothing: a slip of the keys
            self._corrupt("typo", person, record, native=native, phone_style=phone_style)
            done.append("typo")
        return record, tuple(done)

    def _applies(self, kind: str, person: Identity, record: Record) -> bool:
        given = record["first_name"] or ""
        if kind == "transliteration":
            return LOCALES.get(person.locale, ONE_NAME_LOCALE).script != "latin"
        if kind == "nickname":
            return given in NICKNAMES
        if kind == "accents":
            return without_accents(given + (record["last_name"] or "")) != given + (
                record["last_name"] or ""
            )
        if kind == "swap_order":
            return bool(record["first_name"]) and bool(record["last_name"])
        if kind == "spelling":
            return any(spelt(name) != name for name in (given, record["last_name"] or ""))
        if kind == "initial":
            return len(given) > 2 and bool(record["last_name"])
        if kind == "compound_surname":
            return " " in (record["last_name"] or "").strip()
        if kind == "missing":
            return any(record[name] for name in OPTIONAL)
        if kind == "email_dots":
            return person.email_domain == "gmail.com"
        if kind == "phone_format":
            return record["phone"] is not None
        if kind == "document_format":
            return record["document_number"] is not None
        if kind == "dob_swap":
            born = person.born
            return record["date_of_birth"] is not None and born.day <= 12 and born.day != born.month
        if kind == "dob_typo":
            return record["date_of_birth"] is not None
        return True

    def _corrupt(
        self, kind: str, person: Identity, record: Record, *, native: bool, phone_style: int
    ) -> bool:
        rng = self.rng
        email = record["email"] or ""
        local, domain = email.split("@")
        if kind == "typo":
            # In a name long enough to mistype (not an initial left by another variant).
            names = [n for n in ("first_name", "last_name") if len(record[n] or "") > 2]
            name = rng.choice(names or [n for n in ("first_name", "last_name") if record[n]])
            record[name] = typo(rng, record[name] or "")
        elif kind == "swap_order":
            record["first_name"], record["last_name"] = record["last_name"], record["first_name"]
        elif kind == "transliteration":
            spec = LOCALES[person.locale]
            if native:  # now in Latin letters, perhaps by another scheme
                scheme = rng.randrange(SCHEMES)
                if spec.script == "arabic":
                    record["first_name"] = rng.choice(person.latin_spellings)
                    record["last_name"] = rng.choice(dict(ARABIC_FAMILY)[person.family])
                else:
                    record["first_name"] = romanised(
                        person.given, spec.script, scheme, person.locale
                    )
                    record["last_name"] = romanised(
                        person.family, spec.script, scheme, person.locale
                    )
            else:
                record["first_name"], record["last_name"] = person.given, person.family
        elif kind == "nickname":
            if record["first_name"] not in NICKNAMES:
                return False
            record["first_name"] = rng.choice(NICKNAMES[record["first_name"] or ""])
        elif kind == "accents":
            for name in ("first_name", "last_name"):
                if record[name]:
                    record[name] = without_accents(record[name] or "")
        elif kind == "spelling":
            names = [
                n
                for n in ("first_name", "last_name")
                if spelt(record[n] or "") != (record[n] or "")
            ]
            if not names:  # a new script left nothing to spell otherwise
                return False
            name = rng.choice(names)
            record[name] = spelt(record[name] or "")
        elif kind == "initial":
            record["first_name"] = (record["first_name"] or "")[0] + rng.choice((".", ""))
        elif kind == "compound_surname":
            parts = (record["last_name"] or "").split()
            record["last_name"] = rng.choice((parts[0], "-".join(parts)))
        elif kind == "missing":
            present = [name for name in OPTIONAL if record[name]]
            record[rng.choice(present)] = None
        elif kind == "email_case":
            record["email"] = email_in_case(rng, local, domain)
        elif kind == "email_dots":
            plain = local.replace(".", "")
            dots = sorted(rng.sample(range(1, len(plain)), min(2, len(plain) - 1)))
            dotted = "".join(c + ("." if i + 1 in dots else "") for i, c in enumerate(plain))
            if dotted == local:
                return False
            record["email"] = f"{dotted}@{domain}"
        elif kind == "email_plus":
            record["email"] = f"{local}+{rng.choice(('expo', 'events', 'reg', '2027'))}@{domain}"
        elif kind == "email_provider":
            record["email"] = f"{local}@{rng.choice([p for p in OTHER_PROVIDERS if p != domain])}"
        elif kind == "phone_format":
            styles = [s for s in range(len(PHONE_STYLES)) if s != phone_style]
            record["phone"] = phone_text(person.phone, rng.choice(styles))
        elif kind == "document_format":
            record["document_number"] = document_text(rng, person.document)
        elif kind == "dob_swap":
            record["date_of_birth"] = person.born.replace(
                day=person.born.month, month=person.born.day
            ).isoformat()
        elif kind == "dob_typo":
            record["date_of_birth"] = dob_typo(rng, person.born).isoformat()
        return True

    # ------------------------------------------------------------------ the whole set

    def people(self, entities: int) -> list[Identity]:
        rng = self.rng
        out: list[Identity] = []
        while len(out) < entities:
            # About 9% of people come with relatives, 2.5% share one of ten very common names
            # (a quarter percent each, so such pairs grow with the square of the set's size,
            # as they do in a real tenant), and 3% have one name.
            draw = rng.random()
            if draw < 0.04:
                group = self.family()
            elif draw < 0.0455:
                group = self.namesakes()
            elif draw < 0.0755 and self.one_name:
                group = [self.mononym()]
            else:
                group = [self.identity()]
            out.extend(group[: entities - len(out)])
        return out


PHONE_STYLES = ("e164", "international", "national", "dashes", "spaced_digits")


def phone_text(e164: str, style: int) -> str:
    """The number written one of the ways people write it."""
    number = phonenumbers.parse(e164)
    kind = PHONE_STYLES[style]
    if kind == "e164":
        return e164
    if kind == "international":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if kind == "national":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if kind == "dashes":
        return international.replace(" ", "-")
    digits = e164[1:]
    return "+" + " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def document_text(rng: random.Random, document: str) -> str:
    forms = (
        document.lower(),
        f"{document[:2]} {document[2:5]} {document[5:]}",
        f"{document[:2]}-{document[2:]}",
        f" {document} ",
    )
    return rng.choice(forms)


def email_in_case(rng: random.Random, local: str, domain: str) -> str:
    if rng.random() < 0.5:
        return f"{local.title()}@{domain.capitalize()}"
    return f"{local.upper()}@{domain.upper()}"


def dob_typo(rng: random.Random, born: date) -> date:
    """A slip of one digit: the day or the year off by one."""
    if rng.random() < 0.5:
        day = born.day + rng.choice((-1, 1))
        if 1 <= day <= 28:
            return born.replace(day=day)
    year = born.year + rng.choice((-1, 1))
    return born.replace(year=year, day=min(born.day, 28))


# --------------------------------------------------------------------------- the set


def generate(entities: int, seed: int, *, one_name: bool = True) -> list[Labelled]:
    """Records of `entities` people, shuffled; the same seed gives the same list.

    Without `one_name`, every person has a first and a last name (for a server that still
    needs both).
    """
    generator = Generator(seed, one_name=one_name)
    records = [r for person in generator.people(entities) for r in generator.records(person)]
    generator.rng.shuffle(records)
    return records


def truth_pairs(records: Sequence[Labelled]) -> set[Pair]:
    """Every pair of record positions that are the same person."""
    by_entity: dict[str, list[int]] = defaultdict(list)
    for position, labelled in enumerate(records):
        by_entity[labelled.entity].append(position)
    return {frozenset(p) for positions in by_entity.values() for p in combinations(positions, 2)}


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall and F1 of predicted duplicate pairs against the truth."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


def scores(predicted: Iterable[Pair], truth: set[Pair]) -> Scores:
    """Predicted pairs (each two distinct positions; repeats count once) against the truth."""
    found = {pair for pair in predicted if len(pair) == 2}
    hits = len(found & truth)
    return Scores(hits, len(found) - hits, len(truth) - hits)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1000, help="people (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--two-names-only",
        action="store_true",
        help="no people with one name (whose first_name or last_name is null)",
    )
    args = parser.parse_args(argv)
    records = generate(args.entities, args.seed, one_name=not args.two_names_only)
    for labelled in records:
        sys.stdout.write(labelled.to_json() + "\n")
    pairs = len(truth_pairs(records))
    print(
        f"{len(records)} records of {args.entities} people, {pairs} duplicate pairs",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
