"""Countries a request names, as ISO 3166 two-letter codes: "shipped to france" -> FR, "dutch warehouses" -> NL.

An API that filters by country takes its code; staff write the country's name, or its adjective. The small
model turns "poland" into "PZ" and "turkey" into "TU". Names come from pycountry (the ISO 3166 names, common
and official ones), adjectives and everyday names from the table below; a code itself counts where it is written
in capitals after a word that points to a place ("to DE").
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pycountry

#: Everyday names and adjectives that are not ISO 3166 names.
_ALIASES = {
    "holland": "NL", "dutch": "NL", "the netherlands": "NL", "belgian": "BE", "german": "DE", "french": "FR",
    "polish": "PL", "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "british": "GB",
    "england": "GB", "english": "GB", "scotland": "GB", "wales": "GB", "irish": "IE", "turkish": "TR",
    "turkey": "TR", "chinese": "CN", "spanish": "ES", "italian": "IT", "portuguese": "PT", "danish": "DK",
    "swedish": "SE", "norwegian": "NO", "finnish": "FI", "austrian": "AT", "swiss": "CH", "czech": "CZ",
    "czechia": "CZ", "hungarian": "HU", "romanian": "RO", "greek": "GR", "usa": "US", "us": "US",
    "america": "US", "american": "US", "luxembourgish": "LU", "slovak": "SK", "lithuanian": "LT",
    "latvian": "LV", "estonian": "EE", "bulgarian": "BG", "croatian": "HR", "slovenian": "SI",
    "japanese": "JP", "indian": "IN", "vietnamese": "VN", "korean": "KR", "south korea": "KR",
}


def names_country(name: str, spec: dict[str, Any]) -> bool:
    """Whether a property is a country's, by its name or its description."""
    return "country" in name.casefold() or "country" in str(spec.get("description") or "").casefold()


def stated_countries(text: str) -> list[str]:
    """The two-letter codes of the countries `text` names, in order, each once."""
    pattern, codes = _index()
    found = [(match.start(), codes[match.group(0).casefold()]) for match in pattern.finditer(text)]
    found += [(match.start(1), match.group(1)) for match in _CODE_AFTER.finditer(text)
              if pycountry.countries.get(alpha_2=match.group(1)) is not None]
    return list(dict.fromkeys(code for _, code in sorted(found)))


#: A country's own code, in capitals after a word that points to a place: "in transit to DE", "suppliers in PL".
_CODE_AFTER = re.compile(r"(?<![\w-])(?i:to|in|into|from|via|for)\s+([A-Z]{2})(?![\w-])")


@cache
def _index() -> tuple[re.Pattern[str], dict[str, str]]:
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name:
                codes.setdefault(name.casefold(), country.alpha_2)
    codes.update(_ALIASES)
    # "us" only as a country when written so: "ship to the US", not "let us know"
    names = sorted((name for name in codes if name != "us"), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r"|(?-i:US))(?![\w])", re.IGNORECASE)
    return pattern, codes
