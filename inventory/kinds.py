"""Each kind of inventory record declared once: its model, natural key, JSON section and fields.

The exports (CSV, XLSX, JSON), the importer (what it reads, how it coerces, what a new record
gets, the order of a change's fields), the public policy document, the JSON Schema, the
history and the back office's labels all derive from ``KINDS``. Adding a plain field to a kind
takes the model's column, its migration and one ``Field`` here.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from models import Category, Cookie, Provider, Purpose, SiteSettings
from models.inventory import CONSENT_MANAGERS, PARTIES, STORAGE_KINDS
from rules import cells, legal
from rules import lifetime as lifetimes
from rules.consent import CONSENT_MONTHS, MAX_CONSENT_MONTHS
from rules.validation import InventoryError

# --- Value types: how a field travels through files -----------------------------------------

_URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://\\S+$"


class _Value:
    """What every value type shares: one attribute on the model, one column in a spreadsheet."""

    def stored(self, name):
        """The names the value has on the model and in an import's plan."""
        return (name,)

    def columns(self, name):
        """Its CSV / XLSX columns, as exported."""
        return (name,)

    def read_columns(self, name):
        """The columns an import reads it from (the others are written for people)."""
        return self.columns(name)


@dataclass(frozen=True)
class Text(_Value):
    """Free text, checked by the model's field rule (length, control characters, format)."""

    max_length: int
    pattern: str | None = None
    format: str | None = None

    def read(self, model, name, raw):
        if raw is not None and not isinstance(raw, str):
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                raw = cells.cell_text(raw)
            else:
                raise InventoryError(_l("Write this as text."))
        return model.check_field(name, raw)

    def schema(self, required, nullable=None):
        nullable = not required if nullable is None else nullable
        schema = {"type": ["string", "null"] if nullable else "string", "maxLength": self.max_length}
        if required:
            schema["minLength"] = 1
        if self.pattern:
            schema["pattern"] = self.pattern
        if self.format:
            schema["format"] = self.format
        return schema


@dataclass(frozen=True)
class Boolean(_Value):
    def read(self, model, name, raw):
        return cells.boolean(raw)

    def schema(self, required):
        return {"type": "boolean"}


@dataclass(frozen=True)
class Integer(_Value):
    minimum: int | None = None
    maximum: int | None = None
    nullable: bool = False  # None: not stated

    def read(self, model, name, raw):
        if self.nullable and (raw is None or (isinstance(raw, str) and not raw.strip())):
            return None
        return model.check_field(name, cells.integer(raw))

    def schema(self, required):
        bounds = {"minimum": self.minimum, "maximum": self.maximum}
        kind = ["integer", "null"] if self.nullable else "integer"
        return {"type": kind, **{k: v for k, v in bounds.items() if v is not None}}


@dataclass(frozen=True)
class Choice(_Value):
    choices: tuple

    def read(self, model, name, raw):
        return cells.choice(self.choices)(raw)

    def schema(self, required):
        return {"enum": list(self.choices)}


@dataclass(frozen=True)
class Timestamp(_Value):
    """When a record was made or last changed: written out, restored when an import creates
    the record, ignored otherwise."""

    def read(self, model, name, raw):
        return cells.read_timestamp(raw)

    def schema(self, required):
        return {
            "type": ["string", "null"],
            "format": "date-time",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$",
            "description": "UTC, to the second. Restored when the import creates the object; ignored otherwise.",
        }


@dataclass(frozen=True)
class Reference(_Value):
    """Another record named by its natural key (a cookie's provider by name, category by key)."""

    kind: str

    def schema(self, required):
        """The referenced record's key field, as that record's own section has it."""
        target = KINDS[self.kind]
        return target.field(target.key[0]).value.schema(True)


@dataclass(frozen=True)
class Purposes(_Value):
    """A cookie's purposes, named by their French texts (with the English beside them in CSV)."""

    kind = "purpose"  # the records it names

    def columns(self, name):
        return (f"{name}_fr", f"{name}_en")

    def schema(self, required):
        return {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1, "maxLength": 500}}


@dataclass(frozen=True)
class Lifetime(_Value):
    """A unit and an amount (``lifetime_unit``, ``lifetime_amount``): one JSON object, two
    columns in a spreadsheet, plus the readable French and English texts."""

    def stored(self, name):
        return (f"{name}_unit", f"{name}_amount")

    def columns(self, name):
        return (f"{name}_fr", f"{name}_en", *self.stored(name))

    def read_columns(self, name):
        return self.stored(name)

    def schema(self, required):
        timed = [unit for unit in lifetimes.UNITS if unit != lifetimes.SESSION]
        return {
            "type": "object",
            "additionalProperties": False,
            "required": ["unit", "amount"],
            "properties": {"unit": {"enum": list(lifetimes.UNITS)}, "amount": {"type": ["integer", "null"]}},
            "oneOf": [
                {"properties": {"unit": {"const": lifetimes.SESSION}, "amount": {"type": "null"}}},
                {
                    "properties": {
                        "unit": {"enum": timed},
                        "amount": {"type": "integer", "minimum": 1, "maximum": lifetimes.MAX_AMOUNT},
                    }
                },
            ],
            "description": "A session cookie has no amount; otherwise 1 to 1000 of the unit.",
        }


# --- Fields and kinds ------------------------------------------------------------------------

# How a field appears in CSV and XLSX: read and written, written for people only, or absent.
READ_WRITE, WRITTEN, ABSENT = "read-write", "written", "absent"
# A field without a default on creation: left to the model (or required).
NO_DEFAULT = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


@dataclass(frozen=True)
class Field:
    name: str
    value: object
    label: object
    required: bool = False  # a new record needs it
    default: object = NO_DEFAULT  # what a new record gets when the file does not say
    tabular: str = READ_WRITE
    json: bool = True
    public: bool = False  # in the policy document visitors and other sites read
    description: str | None = None
    # False for a public field added after publication began: older versions lack it.
    in_every_version: bool = True

    @property
    def create_only(self):
        """Read from a file only when the import creates the record."""
        return isinstance(self.value, Timestamp)

    @property
    def stored(self):
        """Its names on the model and in an import's plan (a lifetime has two)."""
        return self.value.stored(self.name)

    @property
    def columns(self):
        """Its CSV / XLSX columns, as exported (none when absent from spreadsheets)."""
        return () if self.tabular == ABSENT else self.value.columns(self.name)

    @property
    def read_columns(self):
        """The CSV / XLSX columns an import reads it from."""
        return self.value.read_columns(self.name) if self.tabular == READ_WRITE else ()

    def read(self, model, raw):
        return self.value.read(model, self.name, raw)

    def schema(self, nullable=None):
        if isinstance(self.value, Text):
            schema = dict(self.value.schema(self.required, nullable))
        else:
            schema = dict(self.value.schema(self.required))
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Kind:
    name: str  # as history and the importer name it
    model: type
    section: str  # the JSON section
    key: tuple  # natural key: how an import finds the record again
    label: object
    fields: tuple
    sheet: str | None = None  # its XLSX sheet
    single: bool = False  # one record per site (settings)
    counts_cookies: bool = False  # its sheet has a "cookies" column (how many use it)
    description: str | None = None
    order: tuple = ()  # how exports list the records, when not by the natural key
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name):
        return self._by_name.get(name)

    @property
    def json_fields(self):
        return tuple(f for f in self.fields if f.json)

    @property
    def tabular_fields(self):
        return tuple(f for f in self.fields if f.tabular != ABSENT)

    @property
    def listing_order(self):
        return self.order or self.key

    @property
    def required_fields(self):
        return tuple(f for f in self.fields if f.required)

    @property
    def stored_names(self):
        """Every field's stored names, in declaration order (the order of a change's fields)."""
        return tuple(name for f in self.fields for name in f.stored)

    @property
    def columns(self):
        """Its CSV / XLSX columns: the fields' in order, and "cookies" (how many cookies use
        the record) before the timestamps when the sheet counts them."""
        plain = [c for f in self.fields if not isinstance(f.value, Timestamp) for c in f.columns]
        times = [c for f in self.fields if isinstance(f.value, Timestamp) for c in f.columns]
        return tuple(plain + (["cookies"] if self.counts_cookies else []) + times)

    @property
    def defaults(self):
        """What a new record gets for the fields a file leaves out."""
        return {f.name: f.default for f in self.fields if f.default is not NO_DEFAULT}


_CREATED = Field("created_at", Timestamp(), _l("Created"), tabular=ABSENT)
_UPDATED = Field("updated_at", Timestamp(), _l("Last modified"), tabular=WRITTEN)

SETTINGS = Kind(
    "settings",
    SiteSettings,
    "settings",
    (),
    _l("Site settings"),
    (
        Field("site_name", Text(120), _l("Site name"), required=True, public=True),
        Field("site_url", Text(500, pattern=_URL_PATTERN), _l("Site address"), required=True, public=True),
        Field(
            "controller_name",
            Text(200),
            _l("Data controller"),
            required=True,
            public=True,
            description="The data controller named on the policy.",
        ),
        Field("controller_address", Text(500), _l("Data controller's postal address"), public=True),
        Field("contact_email", Text(254, format="email"), _l("Contact e-mail (DPO)"), required=True, public=True),
        Field("contact_url", Text(500, pattern=_URL_PATTERN), _l("Contact page address"), public=True),
        Field(
            "consent_manager",
            Choice(CONSENT_MANAGERS),
            _l("Consent manager"),
            default="none",
            public=True,
            description="The site's consent manager: the embedded policy's button reopens it.",
            in_every_version=False,
        ),
        Field(
            "consent_settings_url",
            Text(500, pattern=_URL_PATTERN),
            _l("Cookie settings page"),
            public=True,
            description="A page of the site where visitors change their choice; the policy links to it.",
            in_every_version=False,
        ),
        Field(
            "consent_settings_where_fr",
            Text(300),
            _l("Where the cookie settings are (FR)"),
            public=True,
            description="Where visitors find the banner's settings, in French; the policy says it when no page is given.",
            in_every_version=False,
        ),
        Field(
            "consent_settings_where_en",
            Text(300),
            _l("Where the cookie settings are (EN)"),
            public=True,
            description="The same in English; the English policy shows the French when empty.",
            in_every_version=False,
        ),
        Field(
            "consent_months",
            Integer(minimum=1, maximum=MAX_CONSENT_MONTHS),
            _l("Choice kept for (months)"),
            default=CONSENT_MONTHS,
            public=True,
            description="How many months a visitor's cookie choice is kept before they are asked again.",
            in_every_version=False,
        ),
        Field(
            "dpo_name",
            Text(200),
            _l("Data protection officer"),
            public=True,
            description="The data protection officer's name, if the controller has one.",
            in_every_version=False,
        ),
        Field(
            "dpo_contact",
            Text(500),
            _l("Data protection officer's contact"),
            public=True,
            description="An e-mail address or the address of a contact form.",
            in_every_version=False,
        ),
        Field(
            "complaint_url",
            Text(500, pattern=_URL_PATTERN),
            _l("Complaint to the supervisory authority"),
            default=legal.CNIL_COMPLAINT_URL,
            public=True,
            description="Where visitors lodge a complaint: the CNIL's complaint page by default.",
            in_every_version=False,
        ),
        Field(
            "archive_public",
            Boolean(),
            _l("Public archive of versions"),
            default=True,
            description="Whether visitors can read the published versions and their changes.",
        ),
        Field(
            "is_sample",
            Boolean(),
            _l("Sample data"),
            default=False,
            description="True for the sample content of a new install.",
        ),
        _UPDATED,
    ),
    single=True,
    description="Who publishes the policy; null when not set up yet.",
)

CATEGORY = Kind(
    "category",
    Category,
    "categories",
    ("key",),
    _l("Category"),
    (
        Field(
            "key",
            Text(40, pattern="^[a-z][a-z0-9_-]{0,39}$"),
            _l("Key"),
            required=True,
            public=True,
            description="Stable identifier, e.g. statistics.",
        ),
        Field("position", Integer(), _l("Order on the policy"), default=0, description="Order on the policy."),
        Field("consent_required", Boolean(), _l("Consent required"), default=True, public=True),
        Field("name_fr", Text(120), _l("Name (French)"), required=True, public=True),
        Field("name_en", Text(120), _l("Name (English)"), public=True),
        Field("description_fr", Text(4000), _l("Description (French)"), required=True, public=True),
        Field("description_en", Text(4000), _l("Description (English)"), public=True),
        _CREATED,
        _UPDATED,
    ),
    sheet="Categories",
    counts_cookies=True,
    order=("position", "key"),
)

PROVIDER = Kind(
    "provider",
    Provider,
    "providers",
    ("name",),
    _l("Provider"),
    (
        Field("name", Text(120), _l("Name"), required=True, public=True, description="Unique."),
        Field("website", Text(500, pattern=_URL_PATTERN), _l("Website"), public=True),
        Field("privacy_policy_url", Text(500, pattern=_URL_PATTERN), _l("Privacy policy address"), public=True),
        Field(
            "country",
            Text(2, pattern="^[A-Z]{2}$"),
            _l("Country"),
            public=True,
            description="ISO 3166-1 alpha-2.",
        ),
        Field(
            "role",
            Choice(("", *legal.PROVIDER_ROLES)),
            _l("Role for the site"),
            default="",
            public=True,
            description="site, processor (acting for the site), controller (independent) or joint_controller; empty = not stated.",
            in_every_version=False,
        ),
        Field(
            "transfer_safeguard",
            Choice(("", *legal.SAFEGUARDS)),
            _l("Transfer safeguard"),
            default="",
            public=True,
            description="For a country outside the EEA: adequacy, dpf, scc, bcr or none_known; empty = not stated.",
            in_every_version=False,
        ),
        Field(
            "transfer_safeguard_url",
            Text(500, pattern=_URL_PATTERN),
            _l("Safeguard's reference (address)"),
            public=True,
            in_every_version=False,
        ),
        _CREATED,
        _UPDATED,
    ),
    sheet="Providers",
    counts_cookies=True,
)

PURPOSE = Kind(
    "purpose",
    Purpose,
    "purposes",
    ("description_fr",),
    _l("Purpose"),
    (
        Field(
            "description_fr",
            Text(500),
            _l("Description (French)"),
            required=True,
            public=True,
            description='Unique. Texts imported from the Open Cookie Database start with "[EN] " until translated.',
        ),
        Field("description_en", Text(500), _l("Description (English)"), public=True),
        Field(
            "retention_months",
            Integer(minimum=1, maximum=240, nullable=True),
            _l("Data kept for (months)"),
            default=None,
            public=True,
            description="How long the data collected for this purpose is kept, in months; empty = not stated.",
            in_every_version=False,
        ),
        _CREATED,
        _UPDATED,
    ),
    sheet="Purposes",
    counts_cookies=True,
)

COOKIE = Kind(
    "cookie",
    Cookie,
    "cookies",
    ("name", "domain"),
    _l("Cookie"),
    (
        Field(
            "name",
            Text(255),
            _l("Name"),
            required=True,
            public=True,
            description="Unique with domain. A name containing * is a pattern.",
        ),
        Field(
            "domain",
            Text(253),
            _l("Domain"),
            default="",
            public=True,
            description="Lowercase host such as .example.com; empty = the site's own domain.",
        ),
        Field(
            "path",
            Text(255, pattern="^/[^;\\s]*$"),
            _l("Path"),
            default="/",
            public=True,
            description="The path the cookie is set for: / = the whole site.",
            in_every_version=False,
        ),
        Field(
            "is_pattern",
            Boolean(),
            _l("Name is a prefix / pattern"),
            default=False,
            public=True,
            description="The name is a prefix (shown with a trailing *).",
        ),
        Field("party", Choice(PARTIES), _l("Set by"), default="first", public=True),
        Field("storage_kind", Choice(STORAGE_KINDS), _l("Storage kind"), default="http_cookie", public=True),
        Field(
            "category",
            Reference("category"),
            _l("Category"),
            required=True,
            public=True,
            description="A category's key (must exist).",
        ),
        Field(
            "provider",
            Reference("provider"),
            _l("Provider"),
            required=True,
            public=True,
            description="A provider's name (created when unknown).",
        ),
        Field("service_fr", Text(255), _l("Service and location (French)"), required=True, public=True),
        Field("service_en", Text(255), _l("Service and location (English)"), default=None, public=True),
        Field(
            "purposes",
            Purposes(),
            _l("Purposes"),
            required=True,
            public=True,
            description="French texts of the cookie's purposes, sorted; unknown ones are created.",
        ),
        Field("lifetime", Lifetime(), _l("Lifetime"), required=True, public=True),
        Field(
            "lifetime_extended",
            Boolean(),
            _l("Lifetime extended on each visit"),
            default=False,
            public=True,
            description="Each visit sets the cookie again with a new expiry.",
            in_every_version=False,
        ),
        Field(
            "legal_basis",
            Choice(("", *legal.LEGAL_BASES)),
            _l("Legal basis"),
            default="",
            public=True,
            description="consent, or the CNIL exemption that applies; empty = the category's default.",
            in_every_version=False,
        ),
        Field("shown_on_policy", Boolean(), _l("Shown on the policy"), default=True),
        Field("is_sample", Boolean(), _l("Sample data"), default=False, tabular=ABSENT),
        Field(
            "notes",
            Text(4000),
            _l("Internal notes"),
            default=None,
            description="Internal notes, never shown on the policy.",
        ),
        _CREATED,
        _UPDATED,
    ),
    sheet="Cookies",
)

# In the order an import plans them and the JSON backup lists them: what a record names
# (its category, provider, purposes) comes before it.
KINDS = {kind.name: kind for kind in (SETTINGS, CATEGORY, PROVIDER, PURPOSE, COOKIE)}
BY_MODEL = {kind.model: kind for kind in KINDS.values()}
BY_SECTION = {kind.section: kind for kind in KINDS.values()}
# The XLSX workbook's sheets, in order.
SHEETS = (COOKIE, PROVIDER, CATEGORY, PURPOSE)


def kind_of(obj_or_model):
    """The Kind of a record or model class, or None for anything that is not inventory."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return BY_MODEL.get(model)
