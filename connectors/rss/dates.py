"""Feed dates written in another language (``Seg, 24 Set 2018 19:42:40 -0300``).

RSS requires RFC 822 dates in English, but many feeds localise the day and month names and
feedparser then returns no date at all. Here the names are translated (Portuguese, Spanish,
French, German, Italian and Dutch; full names and the usual abbreviations) and the result is
read as an RFC 822 date. A date that still cannot be read, or that has no time zone, is None:
the entry's time is then unknown, never guessed (the raw entry keeps the original text).
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime

_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Every spelling maps to one month; the languages agree wherever their spellings collide
# ("mar", "mai", "set", "ago", "dec"), so one table serves them all.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("jan", "janeiro", "ene", "enero", "janv", "janvier", "januar", "jän", "jänner", "gen",
        "gennaio", "januari"),
    2: ("feb", "fev", "fevereiro", "febrero", "févr", "fevr", "février", "fevrier", "februar",
        "febbraio", "februari"),
    3: ("mar", "março", "marco", "marzo", "mars", "mär", "märz", "mrz", "maerz", "mrt", "maa",
        "maart"),
    4: ("apr", "abr", "abril", "avr", "avril", "april", "aprile"),
    5: ("may", "mai", "maio", "mayo", "mag", "maggio", "mei"),
    6: ("jun", "junho", "junio", "juin", "juni", "giu", "giugno"),
    7: ("jul", "julho", "julio", "juil", "juillet", "juli", "lug", "luglio"),
    8: ("aug", "ago", "agosto", "août", "aout", "august", "augustus"),
    9: ("sep", "sept", "set", "setembro", "septiembre", "setiembre", "septembre", "september",
        "settembre"),
    10: ("oct", "out", "outubro", "octubre", "octobre", "okt", "oktober", "ott", "ottobre"),
    11: ("nov", "novembro", "noviembre", "novembre", "november"),
    12: ("dec", "dez", "dezembro", "dic", "diciembre", "déc", "décembre", "decembre", "dezember",
         "dicembre", "december"),
}
MONTHS: dict[str, int] = {name: number for number, names in _MONTH_NAMES.items() for name in names}

# Words that join the parts of a long-form date ("24 de setembro de 2018").
_FILLERS = frozenset({"de", "del", "le", "den", "der", "il", "à", "a", "às", "as", "um", "om"})
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_LEADING_DAY = re.compile(r"^\s*[^\W\d_]+\.?\s*,\s*", re.UNICODE)
_ZONE = re.compile(r"^(?:[+-]\d{4}|UT|UTC|GMT|Z)$", re.IGNORECASE)


def parse_localised_date(text: str) -> datetime | None:
    """An RFC 822-style date with day and month names in a supported language, as aware UTC;
    None when it cannot be read or names no time zone."""
    if not text or len(text) > 100:
        return None
    # The weekday is redundant with the date; dropping it avoids its many spellings.
    rest = _LEADING_DAY.sub("", text.strip(), count=1)
    month_done = False
    out: list[str] = []
    for token in rest.split():
        word = _WORD.fullmatch(token)
        if word is None or _ZONE.match(token):
            out.append(token)
            continue
        name = token.rstrip(".").casefold()
        if name in _FILLERS:
            continue
        if not month_done and name in MONTHS:
            out.append(_ENGLISH[MONTHS[name] - 1])
            month_done = True
            continue
        return None  # a word we do not know: refuse rather than guess
    if not month_done:
        return None
    try:
        when = email.utils.parsedate_to_datetime(" ".join(out))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # RFC 822 requires a zone; the offset is not guessed
    return when.astimezone(UTC)
