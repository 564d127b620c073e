"""How a user's numbers are read and shown: their number locale.

A user may choose the locale their numbers are written in (a per-user setting kept with
their account); until they do, it follows the languages their browser asks for
(``Accept-Language``, RFC 9110 section 12.5.4), and English where none is known.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError, localedata, numbers

#: The locale of a user who chose none and whose browser names none PlantOps knows.
FALLBACK = "en"
#: The number shown beside each choice, so that a user sees how it is written.
SAMPLE = 1234567.5


def requested_locales(accept_language: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (``q=0`` left out)."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and weight > 0:
            wanted.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(wanted)]


def known(identifier: str) -> Locale | None:
    """The locale ``identifier`` names (``de_DE`` or ``de-DE``), or None where CLDR has no such locale."""
    try:
        return Locale.parse(identifier.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def number_locale(chosen: str | None, accept_language: str | None) -> Locale:
    """The locale a user's numbers are read in: the one they chose, else their browser's first known one."""
    for identifier in ([chosen] if chosen else []) + requested_locales(accept_language):
        found = known(identifier)
        if found is not None:
            return found
    return Locale.parse(FALLBACK)


def sample(locale: Locale) -> str:
    """:data:`SAMPLE` as written in ``locale``."""
    return numbers.format_decimal(SAMPLE, locale=locale)


@cache
def choices() -> tuple[tuple[str, str], ...]:
    """Every locale a user may choose (a language and its country), by name: (identifier, name and sample)."""
    found = []
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        if locale.territory and not locale.script and not locale.variant and locale.display_name:
            found.append((identifier, f"{locale.display_name} · {sample(locale)}"))
    return tuple(sorted(found, key=lambda choice: choice[1].casefold()))
