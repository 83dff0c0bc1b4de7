"""Stage 3 (places): the places a sentence puts attacks on, found through the gazetteer."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from geo.extract.language import ARABIC_LETTER
from geo.extract.lexicon import NOT_THERE, REFERENCE, REGION
from geo.extract.mentions import _far, mask_groups
from geo.gazetteer import Gazetteer, Place, fold

# what lies between a place and a broader one that only says where it is: "K1 base in Kirkuk province in
# northern Baghdad", "the border post in the Syrian province of Deir ez-Zor"
LOCATOR_GAP = re.compile(r"^[\s,]*(?:[\w'’-]+\s+){0,3}?(?:in|of)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?"
                         r"(?:(?:province|governorate|region|district|countryside|outskirts|desert|area)\s+(?:of\s+)?)?$|"
                         # "البوكمال بريف دير الزور", "التنف في محافظة حمص", "قرب الحسكة، شمال شرقي سوريا"
                         r"^[\s,،]*(?:في\s+|ب|ضمن\s+)?(?:ريف|محافظة|قضاء|ناحية|بادية|صحراء)\s+(?:ال)?$", re.I)
# a kind of site named before a town: "an airport near Karbala", "the air base outside Kirkuk"
GENERIC_BEFORE = re.compile(r"\b(?:airport|air ?base|embassy|consulate|base|camp)\s+(?:(?:just|about|some)\s+)?"
                            r"(?:near|in|outside|of|at|close to|north of|south of|east of|west of)\s+"
                            r"(?:the\s+)?(?:(?:city|town|capital) of\s+)?$|"
                            # "القنصلية الأمريكية في مدينة أربيل", "السفارة الأميركية بأربيل"
                            r"(?<!\w)[وبل]?(?:ال)?(?P<mission>قنصلية|سفارة)(?:\s+(?:ال)?(?:أمريكية|أميركية|امريكية|"
                            r"اميركية))?\s+(?:في\s+|ب)?(?:مدينة\s+)?$", re.I)


COUNTRYSIDE = re.compile(r"(?<!\w)[وب]?(?:في\s+)?ريف\s*$|\b(?:rural|countryside of)\s*$", re.I)
LAUNCH_POINT = re.compile(r"\W*(?:as|was|is|being)\s+(?:the\s+)?(?:likely\s+|probable\s+|suspected\s+)?(?:launch|firing)"
                          r"\s+(?:point|site|area|position|pad)", re.I)
HEADING = re.compile(r"(?:\btowards?|\bheading (?:to|for)|\bbound for|(?<!\w)(?:نحو|باتجاه))(?:\s+\S+){0,2}?\s*$", re.I)
WEAPON = re.compile(r"\b(?:drones?|missiles?|rockets?|projectiles?|UAVs?)\b|(?:طائرة|مسيرة|صاروخ|صواريخ|قذيفة)", re.I)
# what a place holds, not where it was hit: "the fortified district that houses the US embassy"
HOLDS = re.compile(r"\b(?:that|which) (?:houses|hosts|is home to|contains)(?:\s+the)?\s*$|\bhome to(?:\s+the)?\s*$|"
                   r"(?:التي|الذي)\s+(?:تضم|يضم|تحتضن|يحتضن)\s*$", re.I)


# Arabic clitics written onto a name: "بقاعدة", "لمطار", "والبوكمال", "للقاعدة" (ل + ال)
_CLITIC_WORD = re.compile(r"(?<!\w)([وفبلك]{1,2})(\w{2,})")


def detach_clitics(gazetteer: Gazetteer, text: str) -> str:
    """``text`` with the clitics before a name blanked out, every position kept: "بقاعدة عين الأسد" is
    read as " قاعدة عين الأسد". A word is only cut where it is no name itself and the rest starts one
    ("بغداد" and "كركوك" stay whole)."""
    if not ARABIC_LETTER.search(text):
        return text
    gazetteer.find_all("")  # builds the index on first use
    index = gazetteer._index  # the first words of every name, folded

    def known(word: str) -> bool:
        return fold(word) in index

    def detach(match: re.Match) -> str:
        word = match.group(0)
        if known(word):
            return word
        for k in range(1, len(match.group(1)) + 1):
            rest = word[k:]
            if known(rest):
                return " " * k + rest
            if word[k - 1] == "ل" and rest.startswith("ل") and known("ا" + rest):
                return " " * (k - 1) + "ا" + rest  # "للقاعدة": the article's alef was dropped after ل
        return word

    return _CLITIC_WORD.sub(detach, text)


def drop_locators(places: list[Place], text: str) -> list[Place]:
    """Without the broader places that only locate the one named before them."""
    kept: list[Place] = []
    for place in sorted(places, key=lambda p: p.start):
        prev = kept[-1] if kept else None
        if prev is not None and place.rank >= 2 and prev.kind != "country" and prev.end > 0 and \
                LOCATOR_GAP.match(text[prev.end:place.start]):
            continue
        kept.append(place)
    return kept


def _generic_at(gazetteer: Gazetteer, text: str, place: Place, context: str | None = None) -> Place | None:
    """The known site of the kind named just before a town ("an airport near Karbala", "a base outside
    Baghdad"): the one of that kind within 40 km of the town, or, of several, the one the report names."""
    before = GENERIC_BEFORE.search(text[max(0, place.start - 60):place.start]) if place.rank >= 2 and place.start > 0 \
        else None
    if before is None:
        return None
    word = "embassy" if before.group("mission") else before.group(0).split()[0].casefold()
    kinds = {"airport": {"airport"}, "embassy": {"embassy"}, "consulate": {"embassy"}}.get(
        word, {"air_base", "military_base", "outpost"})
    near = [s for s in gazetteer.sites.values()
            if (s.kind in kinds or (word == "airport" and any("airport" in a.casefold() for a in s.aliases)))
            and _km(s.point, (place.lon, place.lat)) <= 40]
    if len(near) > 1 and context:
        named = {p.site_id for p in gazetteer.find_all(context) if p.site_id}
        near = [s for s in near if s.id in named]
    if len(near) != 1:
        return None
    return gazetteer.site_place(near[0], 2 if place.geo_precision == 2 else 1, matched=place.matched,
                                start=place.start, end=place.end)


_IN_CITY = re.compile(r"^[\s,]*(?:in|at|في)?\s*(?:the\s+)?(?:city\s+of\s+|مدينة\s+)?$", re.I)


def _province_of(gazetteer: Gazetteer, place: Place) -> Place:
    """The province a town's countryside lies in ("ريف دير الزور" is not the city of Deir ez-Zor)."""
    provinces = [p for p in gazetteer.find_all(f"{place.admin1} province") if p.kind == "governorate"] \
        if place.admin1 else []
    if not provinces:
        return place
    return replace(provinces[0], start=place.start, end=place.end, matched=place.matched)


def mission_in_city(gazetteer: Gazetteer, places: list[Place], text: str) -> list[Place]:
    """"The American embassy in Erbil" is the US mission there (the consulate), not the embassy in
    Baghdad that the words name elsewhere: a diplomatic site named with another city is that city's."""
    out = list(places)
    for n, place in enumerate(places[:-1]):
        town = places[n + 1]
        if place.kind != "embassy" or place.end < 0 or town.admin1 in (None, place.admin1) or \
                not _IN_CITY.match(text[place.end:town.start]):
            continue
        there = [s for s in gazetteer.sites.values() if s.kind == "embassy" and s.admin1 == town.admin1
                 and s.country_code == town.country_code]
        if len(there) == 1:
            out[n] = gazetteer.site_place(there[0], matched=place.matched, start=place.start, end=place.end)
    return out


# a road named by the two places it joins: "the Basra-Dhi Qar highway", "on the road between X and Y",
# "على طريق بين السماوة والديوانية"
_ROAD_AFTER = re.compile(r"^\s*(?:highway|road|motorway|route|expressway)\b", re.I)
_ROAD_GAP = re.compile(r"^\s*[-–/]\s*$")
_BETWEEN = re.compile(r"(?:\bbetween\s+(?:the\s+)?(?:(?:towns?|cities|provinces?) of\s+)?|"
                      r"(?<!\w)بين\s+(?:(?:محافظتي|مدينتي|قضاءي|بلدتي|ناحيتي)\s+)?)$", re.I)
_AND = re.compile(r"^\s*(?:and|و)?\s*$", re.I)  # (an Arabic "و" written onto the name is blanked by then)


def road_between(places: list[Place], text: str) -> list[Place]:
    """Two places that only name the ends of a road an attack was on, as one place halfway between them
    (approximate): the attack was on the road, not in either."""
    out: list[Place] = []
    i = 0
    while i < len(places):
        a = places[i]
        b = places[i + 1] if i + 1 < len(places) else None
        if b is not None and a.end > 0 and b.start > a.end and a.country_code == b.country_code and (
                (_ROAD_GAP.match(text[a.end:b.start]) and _ROAD_AFTER.match(text[b.end:b.end + 20])) or
                (_BETWEEN.search(text[max(0, a.start - 30):a.start]) and _AND.match(text[a.end:b.start]))) \
                and _km((a.lon, a.lat), (b.lon, b.lat)) <= 250:
            out.append(Place(f"{a.name}–{b.name} road", round((a.lon + b.lon) / 2, 5), round((a.lat + b.lat) / 2, 5),
                             "area", 2, a.country_code, a.admin1 if a.admin1 == b.admin1 else None, None, "road",
                             matched=text[a.start:b.end], start=a.start, end=b.end))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _locates(text: str, site: Place, town: Place) -> bool:
    """Whether a town only says where a site named just before it lies ("Ain al-Asad air base in Anbar's
    Baghdadi district"), rather than being a place of its own further on in the sentence."""
    if site.end < 0 or town.start < 0 or town.start < site.end:
        return site.end < 0 or town.start < 0  # a generic site or a town told first: as before
    gap = text[site.end:town.start]
    if LOCATOR_GAP.match(gap):  # ", in the Syrian countryside of X"
        return True
    return len(gap) <= 60 and not re.search(r"[,;]|\b(?:and|or|attacked|struck|hit|targeted|killed|while)\b", gap)


def km_between(a: Place, b: Place) -> float:
    """How far apart two places are, in km."""
    return _km((a.lon, a.lat), (b.lon, b.lat))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlon = (a[0] - b[0]) * 111.32 * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(dlon, (a[1] - b[1]) * 110.57)


def incident_places(gazetteer: Gazetteer, text: str, context: str) -> list[Place]:
    """The places a sentence puts attacks on: the most specific of each nest, in the region.

    Group names are masked first (the Islamic Resistance *in Iraq* is no place), and a place
    named only as a reference point ("Jurf al-Sakhar, south of Baghdad") gives way to the
    place it locates."""
    text = detach_clitics(gazetteer, mask_groups(text))
    places = [p for p in gazetteer.find_all(text) if p.country_code in REGION]
    places = drop_locators(mission_in_city(gazetteer, places, text), text)
    held = [p for p in places if HOLDS.search(text[max(0, p.start - 40):p.start])]
    if held and len(held) < len(places):
        places = [p for p in places if p not in held]  # "the Green Zone, which houses the US embassy"
    nested = {a for p in places if p.site_id for a in gazetteer.ancestors(p.site_id)}
    places = [p for p in places if p.site_id not in nested or not p.site_id]
    # "ريف دير الزور الشرقي" / "the Deir ez-Zor countryside": a region, which a place named in it makes precise
    countryside = [p for p in places if COUNTRYSIDE.search(text[max(0, p.start - 20):p.start])]
    if countryside and len(countryside) < len(places):
        places = [p for p in places if p not in countryside or not any(
            o.admin1 == p.admin1 and o is not p and o not in countryside for o in places)]
    places = [_province_of(gazetteer, p) if p in countryside and p.kind in ("city", "town") else p for p in places]
    # who told it, where it came from, where a convoy was going: never the attack's place, even when the
    # sentence names no other (but a drone "heading towards the base" was heading at its target)
    places = [p for p in places if not NOT_THERE.search(text[max(0, p.start - 45):p.start]) or (
        HEADING.search(text[max(0, p.start - 45):p.start]) and WEAPON.search(text[max(0, p.start - 110):p.start]))]
    # named as where the rockets came from: "naming the town of al-Mayadin as the likely launch point"
    places = [p for p in places if not LAUNCH_POINT.match(text, max(p.end, 0))]
    references = [p for p in places if REFERENCE.search(text[max(0, p.start - 45):p.start])]
    # what only says where a reference point lies is one too: "fired from Mayadin, held by the army in Deir ez-Zor"
    references += [p for p in places if p not in references and any(
        0 < p.start - r.end <= 60 and p.admin1 == r.admin1 and p.rank >= r.rank and not p.site_id == r.site_id
        and not re.search(r"[.;]|\b(?:and|while|whereas)\b|(?<!\w)و(?:قد|فيما|كما)?(?!\w)", text[r.end:p.start])
        for r in references)]
    others = [p for p in places if p not in references]
    if references and others and not any(_far(text[max(0, r.start - 45):r.start]) for r in references) and all(
            p.kind in ("country", "governorate") and any(
            r.country_code == p.country_code and (p.kind == "country" or r.admin1 == p.admin1) for r in references)
            for p in others):
        # "south-east of Albu Kamal, in the Deir ez-Zor countryside": near the town, not anywhere in its province
        places = [replace(r, geo_precision=2) for r in references]
    elif references and len(references) < len(places):
        places = [p for p in places if p not in references]
    else:  # "about 180 km south of Baghdad" does not put the attack in Baghdad
        places = [p for p in places if not _far(text[max(0, p.start - 45):p.start])]
    specific = [p for p in places if p.kind != "country"]
    if not specific:
        generic = gazetteer.generic_site(text, [], context)
        if generic is not None:
            return [generic]
        bases = re.search(r"\bbases?\b|\bfacilit(y|ies)\b|\boutposts?\b|\bforces\b", text, re.I)
        countries = [p for p in places if p.kind == "country"]
        # "the Jordan-Syria border" is one place, not two: the first country stands for it
        countries = [c for i, c in enumerate(countries)
                     if i == 0 or text[countries[i - 1].end:c.start].strip() not in ("-", "–", "/")]
        return countries if bases else []
    specific = road_between([_generic_at(gazetteer, text, p, context) or p for p in drop_locators(specific, text)],
                            text)
    chosen: list[Place] = []
    for place in sorted(specific, key=lambda p: (p.rank, -len(p.matched))):
        ancestors = set(gazetteer.ancestors(place.site_id)) if place.site_id else set()
        if any(c.site_id and (c.site_id in ancestors or place.site_id in gazetteer.ancestors(c.site_id))
               for c in chosen):
            continue
        # a city, town or governorate that only says where a chosen site lies (not one more place of a list:
        # "Jurf al-Sakhar, Musayib and Najaf")
        if place.rank >= 2 and any(c.rank < place.rank and c.admin1 == place.admin1 and _locates(text, c, place)
                                   for c in chosen):
            continue
        if place.kind == "governorate" and any(c.admin1 == place.admin1 for c in chosen):
            continue
        chosen.append(place)
    return sorted(chosen, key=lambda p: p.start)