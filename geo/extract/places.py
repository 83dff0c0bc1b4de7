"""Stage 3 (places): the places a sentence puts attacks on, found through the gazetteer."""

from __future__ import annotations

import re

from geo.extract.lexicon import REFERENCE, REGION
from geo.extract.mentions import _far, mask_groups
from geo.gazetteer import Gazetteer, Place


def incident_places(gazetteer: Gazetteer, text: str, context: str) -> list[Place]:
    """The places a sentence puts attacks on: the most specific of each nest, in the region.

    Group names are masked first (the Islamic Resistance *in Iraq* is no place), and a place
    named only as a reference point ("Jurf al-Sakhar, south of Baghdad") gives way to the
    place it locates."""
    text = mask_groups(text)
    places = [p for p in gazetteer.find_all(text) if p.country_code in REGION]
    nested = {a for p in places if p.site_id for a in gazetteer.ancestors(p.site_id)}
    places = [p for p in places if p.site_id not in nested or not p.site_id]
    references = [p for p in places if REFERENCE.search(text[max(0, p.start - 45):p.start])]
    if references and len(references) < len(places):
        places = [p for p in places if p not in references]
    else:  # "about 180 km south of Baghdad" does not put the attack in Baghdad
        places = [p for p in places if not _far(text[max(0, p.start - 45):p.start])]
    specific = [p for p in places if p.kind != "country"]
    if not specific:
        generic = gazetteer.generic_site(text, [], context)
        if generic is not None:
            return [generic]
        bases = re.search(r"\bbases?\b|\bfacilit(y|ies)\b|\boutposts?\b|\bforces\b", text, re.I)
        return [p for p in places if p.kind == "country"][:1] if bases else []
    chosen: list[Place] = []
    for place in sorted(specific, key=lambda p: (p.rank, -len(p.matched))):
        ancestors = set(gazetteer.ancestors(place.site_id)) if place.site_id else set()
        if any(c.site_id and (c.site_id in ancestors or place.site_id in gazetteer.ancestors(c.site_id))
               for c in chosen):
            continue
        # a city, town or governorate that only says where a chosen site lies
        if place.rank >= 2 and any(c.rank < place.rank and c.admin1 == place.admin1 for c in chosen):
            continue
        if place.kind == "governorate" and any(c.admin1 == place.admin1 for c in chosen):
            continue
        chosen.append(place)
    return sorted(chosen, key=lambda p: p.start)