"""One vocabulary of human labels for the codes the data model stores.

Pages, charts, CSV headers and the evidence report all say "Closed, no further action", never
``closed_nfa``: the people who read them (officers, HCSOs, a court) should never have to decode
an internal name. Unknown codes (a force's own strand, say) fall back to a readable form of the
code rather than failing, because strands are configurable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

STRANDS: Final[dict[str, str]] = {
    "race": "Race",
    "religion": "Religion or belief",
    "sexual_orientation": "Sexual orientation",
    "disability": "Disability",
    "transgender": "Transgender identity",
    "sex_gender": "Sex or gender",
    "other": "Other",
    # The model reports this for threats where it infers no targeted group.
    "unknown": "Target unknown",
}
SEVERITIES: Final[dict[str, str]] = {
    "threat": "Threat",
    "dehumanisation": "Dehumanisation",
    "derogation": "Derogation",
    "none": "None",
}
OUTCOMES: Final[dict[str, str]] = {
    "not_hate": "Not hate (dismiss)",
    "hate_intelligence": "Hate - intelligence",
    "possible_crime": "Possible crime (escalate)",
}
PERCEIVERS: Final[dict[str, str]] = {
    "victim": "Victim",
    "witness": "Witness",
    "officer": "Officer",
    "moderator": "Moderator",
}
CASE_STATUSES: Final[dict[str, str]] = {
    "open": "Open",
    "referred_hcso": "Referred to victim support (HCSO)",
    "crime_recorded": "Crime recorded",
    "intelligence_submitted": "Intelligence submitted",
    "closed_nfa": "Closed, no further action",
}
ITEM_STATUSES: Final[dict[str, str]] = {
    "open": "Open",
    "decided": "Decided",
    "escalated": "Escalated",
    "all": "All",
}
# DOMAIN.md: offences a case may be escalated under (England and Wales).
OFFENCES: Final[dict[str, str]] = {
    "poa1986_p3": "Public Order Act 1986 Part 3 (stirring up racial hatred)",
    "poa1986_p3a": "Public Order Act 1986 Part 3A (religion, sexual orientation; threatening)",
    "mca1988_s1": "Malicious Communications Act 1988 s1",
    "ca2003_s127": "Communications Act 2003 s127",
    "osa2023_s181": "Online Safety Act 2023 s181 (threatening communications)",
    "osa2023_s179": "Online Safety Act 2023 s179 (false communications)",
}
KINDS: Final[dict[str, dict[str, str]]] = {
    "strand": STRANDS,
    "severity": SEVERITIES,
    "outcome": OUTCOMES,
    "perceiver": PERCEIVERS,
    "case_status": CASE_STATUSES,
    "item_status": ITEM_STATUSES,
    "offence": OFFENCES,
}


def readable(code: str) -> str:
    """A code nobody gave a label: ``alternative_subculture`` -> ``Alternative subculture``."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(kind: str, code: str | None, *, empty: str = "-") -> str:
    """The human label of ``code`` in vocabulary ``kind`` (e.g. ``label("strand", "race")``)."""
    if not code:
        return empty
    table = KINDS.get(kind)
    if table is None:
        raise KeyError(f"no vocabulary named {kind!r}; known: {', '.join(KINDS)}")
    return table.get(code, readable(code))


def labels(kind: str, codes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(label(kind, c) for c in codes) if codes else "-"


def when(value: datetime | None) -> str:
    """A time for people: to the second, with its zone (UTC), never ISO microseconds."""
    if value is None:
        return ""
    if value.tzinfo is None:
        # Stored times are UTC; SQLite hands some back naive.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
