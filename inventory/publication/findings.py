"""A finding of the publication checks: which rule, how grave, what to do, which record."""

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: object  # a lazy string, in the reader's language
    section: str | None = None  # the record to fix: its document section and id or key
    key: object = None
    waivable: bool = False  # a missing English text: published in French only, record by record
    source: object = None  # the legal source of a compliance rule, as the legal team cites it
    waived: str | None = None  # an administrator's written reason for publishing despite the error

    @property
    def waiver_key(self):
        return f"{self.rule}:{self.section}:{self.key}"


@dataclass
class Options:
    # (section, key) of the records the publisher publishes in French only.
    french_only: set = field(default_factory=set)
    # Compliance errors an administrator waives for this publication: {waiver_key: reason}.
    waived: dict = field(default_factory=dict)
