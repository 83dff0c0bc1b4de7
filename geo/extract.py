"""Report text to candidate incidents, each with the sentences that support it.

The extractor reads sentence by sentence. A sentence proposes an incident when
it names a means of attack and an act (struck, fired, targeted, killed ...)
and is not an aggregate ("attacked 78 times since"), a threat or a place
outside Iraq, Syria and Jordan. The place is the most specific one the
sentence names (a site inside another wins; "near X" lowers the precision);
the date is the sentence's own, else the one the report is about; casualties,
perpetrator and attribution come from the sentence and its neighbours. What one
report says about one event in several sentences is merged into one incident.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from geo.dates import DateSpan, find_dates, find_time
from geo.dedup import merge_all
from geo.gazetteer import Gazetteer, Place
from geo.report import Report

REGION = ("IQ", "SY", "JO")
REFERENCE = re.compile(r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|"
                       r"south-east|south-west)(?:ern)?\s+of|\btowards?|\bheading (?:to|for)|\bbound for|"
                       r"\b(?:launched|fired) from|\bkilomet(?:re|er)s?\s+(?:\w+\s+)?(?:of|from)|\bkm\s+"
                       r"(?:\w+\s+)?(?:of|from)|\bmiles\s+(?:\w+\s+)?(?:of|from)|"
                       r"\b(?:launch\w*|fired)\b[\w\s]{0,35}?\b(?:from|near the (?:town|city|village) of))"
                       r"\s*$", re.I)
WASHINGTON_SIDE = re.compile(r"\b(in Washington|Washington time|Eastern(?: time)?|EST|EDT|White House|Pentagon|"
                             r"Defen[cs]e (?:Secretary|Department)|US officials)\b", re.I)
LOCAL_ACCOUNT = re.compile(r"\b(local time|where it was already|Iraqi (?:security )?(?:officials|sources|police)|"
                           r"Syrian (?:officials|sources)|local (?:officials|residents|sources)|security sources)\b",
                           re.I)
INDIRECT = ("rocket_attack", "mortar_attack", "missile_attack")
TYPE_WORDS = {"rocket_attack": "rocket", "mortar_attack": "mortar", "drone_attack": "drone",
              "missile_attack": "missile", "airstrike": "airstrike", "ied": "ied", "small_arms": "gunfire",
              "other": "attack"}

_R = lambda pattern: re.compile(pattern, re.I)  # noqa: E731

EVENT_PATTERNS = [
    ("ied", _R(r"\b(IEDs?|roadside bombs?|improvised explosive devices?|explosive devices?|landmines?)\b")),
    ("mortar_attack", _R(r"\bmortars?(?:\s+(?:bombs?|rounds?|shells?))?\b")),
    ("rocket_attack", _R(r"\b(rockets?|katyushas?|salvos?)\b")),
    ("missile_attack", _R(r"\b(ballistic missiles?|cruise missiles?|missiles?)\b")),
    ("drone_attack", _R(r"\b(drones?|UAVs?|UAS|unmanned aerial (?:vehicles?|systems?|aircraft))\b")),
    ("small_arms", _R(r"\b(gunfire|small[- ]arms|opened fire|gunmen|sniper|machine[- ]guns?|shot at)\b")),
    ("airstrike", _R(r"\b(air ?strikes?|air raids?|bombing raids?|warplanes?|fighter jets?|jets|gunships?|AC-130|F-15E?s?|"
                     r"B-1B?s?|precision strikes?|retaliatory strikes?)\b")),
]
STATE_ACTOR = _R(r"\b(U\.?S\.?|American|United States|Pentagon|CENTCOM|Central Command|coalition|Turkish|Turkey|"
                 r"Israeli|Jordanian)\b(?:\s+\w+){0,3}?\s*\b(forces|military|troops|aircraft|warplanes|jets|gunships?|"
                 r"drones?|strikes?|struck|carried out|conducted|launched|said|announced|air force)\b|"
                 r"\b(U\.?S\.?|American|Turkish|Israeli|Jordanian|coalition)\s+(drone\s+)?strikes?\b|"
                 r"\bthe (U\.?S\.?|United States) (struck|hit|bombed|retaliated)\b")
ACT = _R(r"\b(attack(?:s|ed|ing)?|struck|strikes?|hit|hits|target(?:s|ed|ing)?|fired|launched|landed|fell|"
         r"shell(?:ed|ing)|bomb(?:ed|ing)|explod(?:ed|ing)|detonated|killed|killing|wounded|injured|"
         r"intercepted|shot down|downed|crashed|raid(?:ed)?|assault(?:ed)?|blast|explosion|impact(?:ed)?|"
         r"retaliat(?:ed|ion)|slammed|pounded|came under|engag(?:ed|ing)|approached|repelled|thwarted|foiled|"
         r"martyr(?:ed|ing))\b")
AGGREGATE = _R(r"\b(\d+|dozens of|more than \d+|at least \d+|over \d+)\s+(?:\w+\s+){0,2}?(times|attacks|strikes)\b|"
               r"\b(series|wave|string|spate|campaign) of (attacks|strikes)\b|\battacks? (?:on [\w\s-]+ )?since\b|"
               r"\b\d+(st|nd|rd|th) attack\b")
THREAT = _R(r"\b(threaten(?:s|ed)?|vow(?:s|ed)?|warn(?:s|ed)?|would|could|may|might|will|plan(?:s|ned)? to|"
            r"intend|if)\b")
PAST_ACT = _R(r"\b(struck|hit|fired|launched|landed|fell|killed|wounded|injured|exploded|detonated|targeted|"
              r"attacked|shot down|downed|intercepted|carried out|conducted)\b")
OUTSIDE = _R(r"\b(Red Sea|Gulf of Aden|Bab al-Mandab|Arabian Sea|Gaza|Israel|Yemen|Lebanon|Tehran|Washington|"
             r"merchant (ship|vessel)|cargo ship|tanker|destroyer|warship|aircraft carrier)\b")
BEFORE_ANCHOR = _R(r"\b(?:(?P<n>\w+)\s+)?(days?|weeks?|hours)\s+after\b|\bfollow(?:ed|ing|s)\b")

PERPETRATORS = [
    (_R(r"\bKata[’'`]?[ie]?b\s+Hez?[bi]?[aou]?llah\b|\bKataeb Hezbollah\b|\bKH\b"), "Kataib Hezbollah"),
    (_R(r"\b(Harakat\s+(Hezbollah\s+)?al[- ]Nujaba|al[- ]Nujaba|Nujaba)\b"), "Harakat Hezbollah al-Nujaba"),
    (_R(r"\bKata[’'`]?[ie]?b\s+Sayyid\s+al[- ]Shuhada\b"), "Kataib Sayyid al-Shuhada"),
    (_R(r"\bAsa[’'`]?[ie]?b\s+Ahl\s+al[- ]Haq\b"), "Asaib Ahl al-Haq"),
    (_R(r"\bIslamic Resistance in Iraq\b"), "Islamic Resistance in Iraq"),
    (_R(r"\bIslamic State\b|\bISIS\b|\bISIL\b|\bDaesh\b"), "Islamic State"),
    (_R(r"\bHouthis?\b"), "Houthis"),
    (_R(r"\bPopular Mobili[sz]ation (Forces|Units)\b|\bPMF\b|\bHashd\b"), "Popular Mobilization Forces"),
    (_R(r"\bIran[- ](?:backed|aligned|linked|allied|sponsored)\s+(?:\w+\s+)?(militias?|militants?|militiamen|"
        r"groups?|factions?|fighters|proxies)\b"), "Iran-aligned militias"),
    (_R(r"\bIslamic Revolutionary Guard Corps\b|\bIRGC\b|\bRevolutionary Guards?\b"), "Islamic Revolutionary Guard Corps"),
    (_R(r"\b(armed|Shiite|Shia|Iraqi|suspected|pro-Iran(?:ian)?) (militias?|militants|militiamen|factions?|groups?)\b"),
     "militias"),
    (_R(r"\b(militants|militiamen|militia fighters|militias)\b"), "militias"),
]
US_ACTOR = _R(r"\b(U\.?S\.?|American|United States|Pentagon|CENTCOM|Central Command|coalition)\b")
TURKISH_ACTOR = _R(r"\bTurk(ish|ey)\b")
NEGATED_CLAIM = _R(r"\b(no (?:specific |single )?(?:group|one|faction)|nobody|not|yet to|has not|have not|"
                   r"did not)\b[^.;]{0,30}\bclaim|\bno (?:immediate |formal )?claim|\bunclaimed\b")
STATE_DRONE = _R(r"\b(U\.?S\.?|American|United States|coalition|Turkish|Israeli)\s+(?:\w+\s+){0,2}?(drones?|UAVs?|UAS|"
                 r"unmanned aerial)")
CLAIMED = _R(r"\b(claim(?:ed|s|ing)?|took responsibility|said (?:it|they) (?:had )?(?:targeted|attacked|struck|"
             r"hit|launched)|announced (?:it|they)|in a statement on Telegram)\b")
ATTRIBUTED = _R(r"\b(blam(?:ed|es|ing)|accus(?:ed|es)|behind|attribut(?:ed|es)|responsible|linked to|"
                r"suspected|believed to|named|pointed to)\b")
ZERO_CASUALTIES = _R(r"\bno (?:immediate )?(?:reports? of )?(?:casualties|injuries|deaths|one was (?:hurt|"
                     r"injured|killed)|(?:US |American )?(?:personnel|troops|service ?members|soldiers|staff) "
                     r"(?:were )?(?:hurt|injured|killed|harmed))\b|\bwithout (?:causing )?(?:any )?casualties\b|"
                     r"\bcaused no (?:casualties|injuries)\b|\bno (?:reported )?casualties\b|"
                     r"\bno(?:body| one) was (?:hurt|injured|killed)\b|\bneither caused (?:any )?(?:injuries|"
                     r"casualties)\b")
_NUM = (r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
        r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|a dozen|dozens)")
_QUAL = r"(?:more than |over |at least |about |around |some |nearly |up to )?"
# words between a count and its verb ("16 people, including civilians, were killed"), never another count or verb
_GAP = (r"(?:(?!(?:killed|dead|died|martyred|wounded|injured|hurt|and\s+\d|\d)\b)[\w'’-]+,?\s+){0,8}?")
KILLED = [_R(rf"\b(?:killing|killed)\s+(?:a|an|one)\s+(?:[\w'’-]+\s+){{0,5}}?and\s+{_NUM}\s+others?\b"),
          _R(rf"\b{_QUAL}{_NUM}\s+{_GAP}(?:were |was |have been |had been )?(?:killed|dead|died|martyred)"),
          _R(rf"\b(?:killed|killing|kills|martyring|martyred)\s+{_QUAL}{_NUM}\b"),
          _R(rf"\bdeaths? of {_QUAL}{_NUM}\b"),
          _R(r"\b(?:killing|killed|martyring)\s+(?P<n>a|an|one)\s+(?!number|few|dozen)")]
INJURED = [_R(rf"\b{_QUAL}{_NUM}\s+{_GAP}(?:were |was |have been |had been )?(?:wounded|injured|hurt)"),
           _R(rf"\b(?:wounding|injuring|wounded|injured)\s+{_QUAL}{_NUM}\b"),
           _R(rf"\b(?:minor |light |slight |serious )?injuries to {_QUAL}{_NUM}\b"),
           _R(rf"\b{_QUAL}{_NUM}\s+(?:[\w-]+\s+){{0,3}}?with (?:minor |light |slight |serious )?injuries\b"),
           _R(r"\b(?:lightly |slightly |seriously )?(?:wounding|injuring)\s+(?P<n>a|an|one)\s+(?!number|few|dozen)")]
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
          "a dozen": 12}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])|\n\s*\n|\n(?=\s*[-•*]\s)")
_ABBREVIATIONS = re.compile(r"\b(U\.S|U\.N|Dec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Mr|Mrs|Ms|Dr|Gen|Lt|Col|"
                            r"Maj|Capt|Sgt|Rep|Sen|St|No|a\.m|p\.m|approx)\.$", re.I)
DATELINE_ANYWHERE = re.compile(r"^\s*(?P<place>[A-Z][A-Z .'’/-]{2,40}?)(?:,\s*[A-Z0-9][\w .,'’-]{1,40}?)?\s*"
                               r"(?:\([^)]{1,40}\))?\s*"
                      r"(?:[-–—]|\(\w)", re.M)


@dataclass
class Sentence:
    text: str
    index: int
    paragraph: int


@dataclass
class Candidate:
    """An incident in the making, from one report."""

    event_type: str
    place: Place
    span: DateSpan | None
    sentences: list[Sentence] = field(default_factory=list)
    time_local: str | None = None
    killed: int | None = None
    injured: int | None = None
    perpetrator: str | None = None
    attribution: str = "unknown"
    target: str | None = None
    date_from_sentence: bool = True
    date_told_in: str = ""  # the sentence the date was read from


@dataclass
class Extraction:
    """What a report yielded: incidents as GeoJSON features, and what was assumed."""

    report: Report
    features: list[dict]
    reference_date: date | None
    reference_how: str
    messages: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {"name": self.report.name, "title": self.report.title, "url": self.report.url,
                "published": self.report.published.isoformat() if self.report.published else None,
                "published_how": self.report.published_how, "published_certain": self.report.published_certain,
                "reference_date": self.reference_date.isoformat() if self.reference_date else None,
                "reference_how": self.reference_how, "incidents": len(self.features),
                "messages": self.messages}


# Prose sentences are far shorter; a longer run with no full stop (a list, a table, garbage) is cut at
# commas or spaces, so that the work done per sentence, and per place in it, stays bounded.
MAX_SENTENCE_CHARS = 1000


def _cut_long(piece: str) -> list[str]:
    parts = []
    while len(piece) > MAX_SENTENCE_CHARS:
        cut = max(piece.rfind(", ", 0, MAX_SENTENCE_CHARS), piece.rfind("; ", 0, MAX_SENTENCE_CHARS))
        if cut < MAX_SENTENCE_CHARS // 2:
            cut = piece.rfind(" ", 0, MAX_SENTENCE_CHARS)
        if cut < MAX_SENTENCE_CHARS // 2:
            cut = MAX_SENTENCE_CHARS - 1
        parts.append(piece[:cut + 1])
        piece = piece[cut + 1:]
    return parts + [piece]


def split_sentences(text: str) -> list[Sentence]:
    """Sentences, tolerant of abbreviations such as U.S. and Dec., and of bullet lists."""
    out: list[Sentence] = []
    for p_index, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        pieces = _SENTENCE_END.split(paragraph.strip())
        groups: list[list[str]] = []
        for piece in pieces:
            # only the end of the last piece can be an abbreviation: looking at the whole merged text
            # each time made "U.S. " repeated thousands of times quadratic
            if groups and _ABBREVIATIONS.search(groups[-1][-1].rstrip()[-16:]):
                groups[-1].append(piece)
            else:
                groups.append([piece])
        for group in groups:
            joined = re.sub(r"\s+", " ", " ".join(group)).strip(" -•*")
            for piece in _cut_long(joined):
                piece = piece.strip(" -•*")
                if len(piece) > 3:
                    out.append(Sentence(piece, len(out), p_index))
    return out


def _number(text: str) -> int | None:
    text = text.lower()
    if text.isdigit():
        return int(text) if len(text) <= 9 else None  # no count has ten digits (and int() refuses 4,300)
    return _WORDS.get(text)


@functools.lru_cache(maxsize=512)  # asked once per place a sentence names
def find_casualties(text: str) -> tuple[int | None, int | None]:
    """(killed, injured) as stated; 0 and 0 when the text says there were no casualties."""
    def first_count(patterns: list[re.Pattern]) -> int | None:
        for i, pattern in enumerate(patterns):
            for match in pattern.finditer(text):
                if re.search(r"\b(no|not|none of the)\s*$", text[:match.start()], re.I):
                    continue  # "no one was hurt"
                if _number(match.group("n")) is not None:
                    # "killing a commander and two others" is one plus the others
                    return _number(match.group("n")) + (1 if i == 0 and patterns is KILLED else 0)
        return None

    killed, injured = first_count(KILLED), first_count(INJURED)
    if ZERO_CASUALTIES.search(text):
        killed = 0 if killed is None else killed
        injured = 0 if injured is None else injured
    return killed, injured


def find_event_type(text: str) -> str | None:
    """The means of attack a sentence names, with state strikes told apart from militia attacks."""
    state = STATE_ACTOR.search(text)
    if state and re.search(r"\b(strikes?|struck|bombed|airstrikes?|drone strike|retaliat)", text, re.I):
        if not re.search(r"\b(attacks?|targeted|fired)\s+(?:on |at |against )?(?:the )?(U\.?S\.?|American|coalition)",
                         text, re.I) or re.search(r"\b(air ?strikes?|drone strike|retaliat)", text, re.I):
            return "airstrike"
    hits = []
    for event_type, pattern in EVENT_PATTERNS:
        match = pattern.search(text)
        if match:
            hits.append((match.start(), event_type))
    if not hits:
        return None
    if any(t == "airstrike" for _, t in hits) or (min(hits)[1] == "drone_attack" and STATE_DRONE.search(text)):
        return "airstrike"
    if re.search(r"\bdrone strike\b", text, re.I) and not re.search(r"\b(militia|resistance|one-way|kamikaze|"
                                                                      r"explosive-laden|attack drone)", text, re.I):
        return "airstrike"
    return min(hits)[1]


@functools.lru_cache(maxsize=512)
def find_perpetrator(text: str, event_type: str) -> tuple[str | None, str]:
    """(perpetrator as reported, attribution) from one sentence."""
    if event_type == "airstrike":
        if US_ACTOR.search(text):
            return "US forces", "claimed" if re.search(r"\b(said|announced|conducted|carried out|statement)\b",
                                                       text, re.I) else "attributed"
        if TURKISH_ACTOR.search(text):
            return "Turkish forces", "attributed"
    names = []
    for pattern, name in PERPETRATORS:
        match = pattern.search(text)
        if not match:
            continue
        before = text[max(0, match.start() - 40):match.start()].lower()
        if event_type == "airstrike" and re.search(r"\b(on|against|targeting|at|hit|struck)\s+(\w+\s+){0,2}$", before):
            continue  # the group was the target of the strike
        names.append(name)
    if not names:
        return None, "unknown"
    generic = [n for n in names if n in ("Iran-aligned militias", "militias")]
    specific = [n for n in names if n not in generic]
    perpetrator = (f"{generic[0]}: {', '.join(specific)}" if generic and specific
                   else ", ".join(specific) if specific else generic[0])
    claimed = CLAIMED.search(text) and not NEGATED_CLAIM.search(text)
    return perpetrator, "claimed" if claimed else "attributed"


def _target_for(place: Place, event_type: str, text: str) -> str | None:
    if event_type == "airstrike":
        for pattern, name in PERPETRATORS:
            if pattern.search(text):
                return name
        return None
    if place.kind == "embassy":
        return "US embassy"
    if place.kind in ("air_base", "military_base", "outpost", "airport", "oil_field"):
        return "US and coalition forces"
    return None


class Extractor:
    """Extracts incidents from reports with one gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    # ---- places ------------------------------------------------------------

    def ancestors(self, site_id: str) -> tuple[str, ...]:
        """The known sites that hold ``site_id``; what de-duplication needs to compare places."""
        return self.gazetteer.ancestors(site_id)

    def incident_places(self, text: str, context: str) -> list[Place]:
        """The places a sentence puts attacks on: the most specific of each nest, in the region.

        Group names are masked first (the Islamic Resistance *in Iraq* is no place), and a place
        named only as a reference point ("Jurf al-Sakhar, south of Baghdad") gives way to the
        place it locates."""
        text = mask_groups(text)
        places = [p for p in self.gazetteer.find_all(text) if p.country_code in REGION]
        nested = {a for p in places if p.site_id for a in self.ancestors(p.site_id)}
        places = [p for p in places if p.site_id not in nested or not p.site_id]
        references = [p for p in places if REFERENCE.search(text[max(0, p.start - 45):p.start])]
        if references and len(references) < len(places):
            places = [p for p in places if p not in references]
        else:  # "about 180 km south of Baghdad" does not put the attack in Baghdad
            places = [p for p in places if not _far(text[max(0, p.start - 45):p.start])]
        specific = [p for p in places if p.kind != "country"]
        if not specific:
            generic = self.gazetteer.generic_site(text, [], context)
            if generic is not None:
                return [generic]
            bases = re.search(r"\bbases?\b|\bfacilit(y|ies)\b|\boutposts?\b|\bforces\b", text, re.I)
            return [p for p in places if p.kind == "country"][:1] if bases else []
        chosen: list[Place] = []
        for place in sorted(specific, key=lambda p: (p.rank, -len(p.matched))):
            ancestors = set(self.ancestors(place.site_id)) if place.site_id else set()
            if any(c.site_id and (c.site_id in ancestors or place.site_id in self.ancestors(c.site_id))
                   for c in chosen):
                continue
            # a city, town or governorate that only says where a chosen site lies
            if place.rank >= 2 and any(c.rank < place.rank and c.admin1 == place.admin1 for c in chosen):
                continue
            if place.kind == "governorate" and any(c.admin1 == place.admin1 for c in chosen):
                continue
            chosen.append(place)
        return sorted(chosen, key=lambda p: p.start)

    # ---- one report --------------------------------------------------------

    def reference(self, report: Report) -> tuple[date | None, str]:
        """The day relative dates are counted from, and how it was found."""
        if report.published:
            sure = "" if report.published_certain else ", not certain"
            return report.published, f"publication date {report.published} ({report.published_how}{sure})"
        absolute = [s for s in find_dates(report.text, None) if s.known and s.precision == "day"]
        if absolute:
            latest = max(absolute, key=lambda s: s.date_to)
            how = (f"no publication date; relative dates counted from {latest.date_to}, the latest date the text "
                   f"names ({latest.text!r}{', year inferred from the weekday' if latest.relative else ''})")
            return latest.date_to, how
        return None, "no publication date and no dated sentence: relative dates are left unresolved"

    def extract(self, report: Report) -> Extraction:
        ref, ref_how = self.reference(report)
        sentences = split_sentences(strip_dateline(report.text))
        main_span = self.main_span(sentences, ref)
        candidates: list[Candidate] = []
        for sentence in sentences:
            candidates.extend(self._from_sentence(sentence, sentences, ref, main_span, candidates, report))
        self._attribute(candidates, sentences)
        self._attribute_strikes(candidates, report.text)
        _prefer_local_day(candidates, sentences, ref)
        candidates = _drop_vague_duplicates(candidates)
        features = [self._feature(c, report) for c in candidates]
        features = merge_all(features, self.ancestors)
        for feature in features:
            feature["id"] = feature["properties"]["id"] = incident_id(feature)
            _one_source_per_report(feature["properties"])
        messages = [] if report.published else [f"{report.name}: {ref_how}"]
        return Extraction(report, features, ref, ref_how, messages)

    @staticmethod
    def main_span(sentences: list[Sentence], ref: date | None) -> DateSpan | None:
        """The date the report is about: the first one given in a sentence about an attack."""
        for sentence in sentences:
            text = sentence.text
            if find_event_type(text) and ACT.search(text) and not AGGREGATE.search(text):
                if BEFORE_ANCHOR.search(text):
                    continue
                for span in find_dates(text, ref):
                    if span.known:
                        return replace(span, text=text)  # the whole sentence, to know who told it
        return None

    def _claims(self, candidates: list[Candidate], sentences: list[Sentence]) -> None:
        """A claim of responsibility outranks a blame: it names who did the attack before it."""
        for sentence in sentences:
            text = sentence.text
            if not CLAIMED.search(text) or NEGATED_CLAIM.search(text):
                continue
            name, attribution = find_perpetrator(text, "rocket_attack")
            if name is None or attribution != "claimed":
                continue
            before = [c for c in candidates if c.event_type != "airstrike" and c.sentences[0].index <= sentence.index]
            if not before:
                continue
            target = max(before, key=lambda c: c.sentences[0].index)
            for candidate in before:
                if candidate is target or candidate.sentences[0].index == target.sentences[0].index:
                    if candidate.perpetrator in (None, "militias", "Iran-aligned militias") or \
                            (candidate.perpetrator or "") in name:
                        candidate.perpetrator = name
                    candidate.attribution = "claimed"

    def _attribute(self, candidates: list[Candidate], sentences: list[Sentence]) -> None:
        """Who the report says did it, for attacks whose own sentences name no one: the
        attribution that names the most groups."""
        best: tuple[int, tuple[str | None, str]] | None = None
        for sentence in sentences:
            text = sentence.text
            if not (ATTRIBUTED.search(text) or CLAIMED.search(text) or re.search(r"\bby\b", text)):
                continue
            if re.search(r"\b(previous|earlier|past|other|similar)\s+attacks\b", text, re.I):
                continue
            found = find_perpetrator(text, "rocket_attack")
            if found[0] is None:
                continue
            specific = len([n for n in found[0].replace(":", ",").split(",") if n.strip() not in
                            ("Iran-aligned militias", "militias")])
            if best is None or specific > best[0]:
                best = (specific, found, sentence.index)
        self._claims(candidates, sentences)
        if best is None:
            return
        # the attack the attribution speaks of: the nearest one told before it (else the first after)
        open_ = [c for c in candidates if c.perpetrator is None and c.event_type != "airstrike"]
        before = [c for c in open_ if c.sentences[0].index <= best[2]]
        target = max(before, key=lambda c: c.sentences[0].index) if before else (open_[0] if open_ else None)
        if target is None:
            return
        for candidate in open_:
            if candidate is target or (candidate.place.site_id and candidate.place.site_id == target.place.site_id) \
                    or (candidate.place.site_id in self.ancestors(target.place.site_id or "")) \
                    or (target.place.site_id in self.ancestors(candidate.place.site_id or "")):
                candidate.perpetrator, candidate.attribution = best[1]

    @staticmethod
    def _attribute_strikes(candidates: list[Candidate], text: str) -> None:
        """Strikes whose sentences name no state: the one the report says struck, and whether it said so."""
        open_ = [c for c in candidates if c.event_type == "airstrike" and c.perpetrator is None]
        if not open_:
            return
        actor = "US forces" if US_ACTOR.search(text) else "Turkish forces" if TURKISH_ACTOR.search(text) else None
        if actor is None:
            return
        announced = re.search(r"\b(Pentagon|CENTCOM|Central Command|Defen[cs]e (Department|Secretary)|US military|"
                              r"U\.S\. military|White House|Austin|Biden|US officials?|U\.S\. officials?)\b[^.]{0,60}"
                              r"\b(said|says|announced|confirmed|acknowledged|statement)\b", text, re.I)
        for candidate in open_:
            candidate.perpetrator = actor
            candidate.attribution = "claimed" if announced else "attributed"

    def _from_sentence(self, sentence: Sentence, sentences: list[Sentence], ref: date | None,
                       lead_span: DateSpan | None, earlier: list[Candidate], report: Report) -> list[Candidate]:
        text = sentence.text
        event_type = find_event_type(text)
        previous = earlier[-1] if earlier else None
        if event_type is None and previous and PAST_ACT.search(text) and not THREAT.search(text) \
                and sentence.index - previous.sentences[-1].index <= 2:
            event_type = previous.event_type  # "The facilities struck were at Al-Qaim and Akashat."
        if event_type is None or not ACT.search(text):
            return []
        if AGGREGATE.search(text):
            return []
        if THREAT.search(text) and not PAST_ACT.search(text):
            return []
        places = self.incident_places(text, report.text)
        if not places:
            if OUTSIDE.search(text):
                return []
            recent = [c for c in earlier if sentence.index - c.sentences[-1].index <= 3]
            same_kind = [c for c in recent if c.event_type == event_type]
            target = (same_kind or recent or [None])[-1]
            if target is not None:
                self._enrich(target, sentence, event_type)
                _adopt_local_day(target, text, ref)
            return []
        if OUTSIDE.search(text) and all(p.kind == "country" for p in places):
            return []
        masked = mask_groups(text)
        if previous and sentence.index - previous.sentences[-1].index <= 2 and all(
                REFERENCE.search(masked[max(0, p.start - 45):p.start]) for p in places):
            self._enrich(previous, sentence, event_type)  # "... travelling towards Baiji when it came under fire"
            return []
        spans = [s for s in find_dates(text, ref)]
        before_anchor = BEFORE_ANCHOR.search(text)
        # casualties told in the next two sentences, up to another attack's sentence (the same for each place)
        following = []
        for nxt in sentences[sentence.index + 1:sentence.index + 3]:
            if self.incident_places(nxt.text, "") or (find_event_type(nxt.text) not in (None, event_type)
                                                      and ACT.search(nxt.text)):
                break  # another attack's sentence
            if AGGREGATE.search(nxt.text) or re.search(r"\b(any|all) of the attacks\b|\bsince\b", nxt.text):
                continue
            following.append(find_casualties(nxt.text))
        out = []
        for n, place in enumerate(places):
            clause = text[places[n - 1].end if n else 0:places[n + 1].start if n + 1 < len(places) else len(text)]
            local_type = nearest_means(text[max(0, place.start - 80):place.start]) or (
                find_event_type(text[max(0, place.start - 80):place.end + 10]) if len(places) > 1 else None)
            span = _nearest(spans, place)
            from_sentence = span is not None
            if before_anchor and place.start > before_anchor.start() and not (span and span.start > before_anchor.start()):
                anchor = earlier[0].span if earlier and earlier[0].span else lead_span
                span = _before(anchor, before_anchor)
                from_sentence = True
            told_in = text
            if span is None:
                span = lead_span or (_recent(ref) if ref else None)
                told_in = lead_span.text if lead_span else ""
            candidate = Candidate(local_type or event_type, place, span, [sentence], date_from_sentence=from_sentence,
                                  date_told_in=told_in)
            self._enrich(candidate, sentence, event_type, first=True)
            if len(places) > 1:  # casualties belong to the clause about this place
                candidate.killed, candidate.injured = find_casualties(clause)
            us_time = eastern_to_local(text, candidate.span)
            if us_time is not None:
                candidate.time_local, candidate.span = us_time
            for killed, injured in following:
                if candidate.killed is None and killed is not None:
                    candidate.killed = killed
                if candidate.injured is None and injured is not None:
                    candidate.injured = injured
            out.append(candidate)
        return out

    def _enrich(self, candidate: Candidate, sentence: Sentence, event_type: str, first: bool = False) -> None:
        text = sentence.text
        if not first:
            candidate.sentences.append(sentence)
        candidate.time_local = candidate.time_local or find_time(text)
        killed, injured = find_casualties(text)
        candidate.killed = candidate.killed if candidate.killed is not None else killed
        candidate.injured = candidate.injured if candidate.injured is not None else injured
        if candidate.perpetrator is None:
            candidate.perpetrator, candidate.attribution = find_perpetrator(text, candidate.event_type)
        elif candidate.attribution != "claimed" and CLAIMED.search(text) and not NEGATED_CLAIM.search(text):
            candidate.attribution = "claimed"
        candidate.target = candidate.target or _target_for(candidate.place, candidate.event_type, text)

    def _feature(self, candidate: Candidate, report: Report) -> dict:
        place, span = candidate.place, candidate.span
        if span is None or not span.known:
            date_from = date_to = None
            precision = "year"
        else:
            date_from, date_to, precision = span.date_from, span.date_to, span.precision
        if date_from is None:
            year = report.published.year if report.published else None
            years = [int(y) for y in re.findall(r"\b(20[0-3]\d)\b", report.text)]
            year = year or (max(years) if years else date.today().year)
            date_from, date_to, precision = date(year, 1, 1), date(year, 12, 31), "year"
        confidence = 0.45 + (0.2 if place.geo_precision == 1 else 0.1 if place.geo_precision == 2 else 0.0)
        confidence += {"day": 0.2, "days": 0.1, "week": 0.05}.get(precision, 0.0)
        confidence += 0.05 if candidate.date_from_sentence else 0.0
        quote = " ".join(s.text for s in candidate.sentences)[:1000]
        means = [t for t, pattern in EVENT_PATTERNS if t in INDIRECT and pattern.search(quote)]
        props = {
            "date": date_from.isoformat(), "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
            "date_precision": precision, "time_local": candidate.time_local if precision == "day" else None,
            "event_type": candidate.event_type, "perpetrator": candidate.perpetrator,
            "target": candidate.target, "attribution": candidate.attribution,
            "killed": candidate.killed, "injured": candidate.injured,
            "site_id": place.site_id, "site_name": place.name if place.site_id else None,
            "location": _location_name(place), "admin1": place.admin1,
            "country": {"IQ": "Iraq", "SY": "Syria", "JO": "Jordan"}.get(place.country_code or ""),
            "country_code": place.country_code, "geo_precision": place.geo_precision,
            "sources": [{"url": report.url, "outlet": report.outlet, "title": report.title,
                         "published": report.published.isoformat() if report.published else None,
                         "quote": quote}],
            "status": "reported", "confidence": round(min(confidence, 0.95), 2),
            "notes": _notes(candidate, place, precision),
        }
        if candidate.event_type in INDIRECT and len(means) > 1:
            props["disagreements"] = {"event_type": [candidate.event_type] + [m for m in means
                                                                              if m != candidate.event_type]}
        return {"type": "Feature", "id": None,
                "geometry": {"type": "Point", "coordinates": [round(place.lon, 5), round(place.lat, 5)]},
                "properties": props}


def strip_dateline(text: str) -> str:
    """Drop a dateline ("ERBIL, Kurdistan Region -") from the first lines: it names where the
    report was filed, not where anything happened."""
    head, rest = text[:600], text[600:]
    for match in DATELINE_ANYWHERE.finditer(head):
        if match.group("place").isupper() and match.start() < 400:
            return head[:match.start()] + head[match.end():].lstrip(" -–—") + rest
    return text


def _one_source_per_report(props: dict) -> None:
    """Sentences of one report that described one event become one source with all of them."""
    merged: dict[tuple, dict] = {}
    for source in props.get("sources") or []:
        key = (source.get("url"), source.get("outlet"), source.get("title"), source.get("published"))
        if key in merged:
            quotes = merged[key]["quote"] or ""
            if source.get("quote") and source["quote"] not in quotes:
                merged[key]["quote"] = (quotes + " … " + source["quote"])[:2000]
        else:
            merged[key] = dict(source)
    props["sources"] = list(merged.values())


def _far(before: str) -> bool:
    match = re.search(r"(\d{1,6})\s*(?:km|kilomet(?:re|er)s?|miles)\s+(?:\w+\s+)?(?:of|from)\s*$", before, re.I)
    return bool(match and int(match.group(1)) > 50)


def mask_groups(text: str) -> str:
    """Blank out armed groups' names, which hold place names of their own."""
    for pattern, _ in PERPETRATORS[:6]:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _location_name(place: Place) -> str:
    if place.site_id:
        site_admin = place.admin1 or place.name
        return place.name if place.kind in ("city", "area") else site_admin
    if place.source == "geonames" and place.matched:
        return place.matched  # as the report spells it: "Fallujah", not "Al Fallūjah"
    return place.name


def _notes(candidate: Candidate, place: Place, precision: str) -> str:
    what = TYPE_WORDS[candidate.event_type].replace("ied", "IED")
    who = f" by {candidate.perpetrator}" if candidate.perpetrator else ""
    where = ("near " if place.geo_precision == 2 else "in " if place.geo_precision == 3 else "at ") + place.name
    toll = []
    if candidate.killed is not None:
        toll.append(f"{candidate.killed} killed")
    if candidate.injured is not None:
        toll.append(f"{candidate.injured} injured")
    return f"{what.capitalize()}{who} {where}" + (f"; {', '.join(toll)}" if toll else "") + "."


def _prefer_local_day(candidates: list[Candidate], sentences: list[Sentence], ref: date | None) -> None:
    """A day told from Washington ("said in Washington on Tuesday evening") is often the day before the
    one on the ground; when the report also gives the local account, the local day (and time) wins."""
    local = None
    for sentence in sentences:
        if LOCAL_ACCOUNT.search(sentence.text) and not WASHINGTON_SIDE.search(sentence.text):
            spans = [s for s in find_dates(sentence.text, ref) if s.known and s.precision == "day"]
            if spans:
                local = (spans[0], find_time(sentence.text), sentence)
                break
    if local is None:
        return
    span, time_local, sentence = local
    for candidate in candidates:
        told = candidate.date_told_in or candidate.sentences[0].text
        if candidate.span is None or not candidate.span.known or not WASHINGTON_SIDE.search(told):
            continue
        if LOCAL_ACCOUNT.search(told) or find_event_type(sentence.text) not in (None, candidate.event_type):
            continue
        if (span.date_from - candidate.span.date_from).days == 1:
            candidate.span = span
            candidate.time_local = time_local or None
            candidate.sentences.append(sentence)


def _adopt_local_day(candidate: Candidate, text: str, ref: date | None) -> None:
    """A local account of the attack ("at 4:30 a.m. on Tuesday local time") sets its day and time when
    it differs by a day at most from the one read so far."""
    if not LOCAL_ACCOUNT.search(text) or WASHINGTON_SIDE.search(text):
        return
    spans = [s for s in find_dates(text, ref) if s.known and s.precision == "day"]
    if not spans or candidate.span is None or not candidate.span.known:
        return
    if abs((spans[0].date_from - candidate.span.date_from).days) <= 1:
        candidate.span = spans[0]
        candidate.time_local = find_time(text) or candidate.time_local


def _drop_vague_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """A country- or governorate-level mention of an attack the report also places precisely is
    the same attack."""
    precise = [c for c in candidates if c.place.kind not in ("country", "governorate")]
    kept = []
    for candidate in candidates:
        vague = candidate.place.kind in ("country", "governorate")
        if vague and any(
                p.place.country_code == candidate.place.country_code and
                (candidate.place.kind == "country" or p.place.admin1 == candidate.place.admin1) and
                (p.event_type == candidate.event_type or {p.event_type, candidate.event_type} <= set(INDIRECT))
                for p in precise):
            continue
        kept.append(candidate)
    return kept


def nearest_means(before: str) -> str | None:
    """The means of attack named closest before a place ("a missile and rocket attack on X"): the
    type of that clause, whatever else the sentence is about. A state's drone is a strike."""
    last = None
    for event_type, pattern in EVENT_PATTERNS:
        for match in pattern.finditer(before):
            if last is None or match.end() > last[0]:
                last = (match.end(), event_type)
    if last is None:
        return None
    if last[1] == "drone_attack" and STATE_DRONE.search(before):
        return "airstrike"
    return last[1]


@functools.lru_cache(maxsize=512)
def eastern_to_local(text: str, span: DateSpan | None) -> tuple[str, DateSpan] | None:
    """A time given in Washington (Eastern) time, as local time in Iraq and Syria, moving the day if
    it crosses midnight: 4 p.m. EST on 2 February is 00:00 on 3 February in Baghdad."""
    match = re.search(r"\b(?P<h>[01]?\d)(?::(?P<m>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)\s*(?:\(?\s*)"
                      r"(?:Eastern|EST|EDT|ET|Washington time)\b", text, re.I)
    if not match or span is None or not span.known or span.precision != "day":
        return None
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hour = int(match.group("h")) % 12 + (12 if match.group("ampm").lower().startswith("p") else 0)
    there = datetime(span.date_from.year, span.date_from.month, span.date_from.day, hour,
                     int(match.group("m") or 0), tzinfo=ZoneInfo("America/New_York"))
    here = there.astimezone(ZoneInfo("Asia/Baghdad"))
    shift = (here.date() - span.date_from).days
    return here.strftime("%H:%M"), span.shift(shift)


def _nearest(spans: list[DateSpan], place: Place) -> DateSpan | None:
    known = [s for s in spans if s.known]
    if not known:
        return None
    return min(known, key=lambda s: abs(s.start - place.start))


def _before(anchor: DateSpan | None, match: re.Match) -> DateSpan | None:
    """The span before an anchor that "days after" / "following" points to."""
    if anchor is None or not anchor.known:
        return None
    unit = (match.group(2) or "").lower()
    n = _number(match.group("n") or "") if match.group("n") else None
    if unit.startswith("day") and n:
        day = anchor.date_from - timedelta(days=n)
        return DateSpan(day, day, "day", match.group(0))
    if unit.startswith("hour"):
        return DateSpan(anchor.date_from - timedelta(days=1), anchor.date_from, "days", match.group(0))
    if unit.startswith("week"):
        return DateSpan(anchor.date_from - timedelta(days=14), anchor.date_from - timedelta(days=1), "days",
                        match.group(0))
    return DateSpan(anchor.date_from - timedelta(days=7), anchor.date_from - timedelta(days=1), "days",
                    match.group(0))


def _recent(ref: date) -> DateSpan:
    """A report that dates nothing speaks of the last few days before it appeared."""
    return DateSpan(ref - timedelta(days=3), ref, "days", "", relative=True)


def incident_id(feature: dict) -> str:
    """Stable across re-ingesting: the day, the place and the kind of attack."""
    p = feature["properties"]
    place = p.get("site_id") or re.sub(r"[^a-z0-9]+", "-", (p.get("location") or "place").lower()).strip("-")
    kind = "indirect" if p["event_type"] in ("rocket_attack", "mortar_attack", "missile_attack") else p["event_type"]
    digest = hashlib.sha1(f"{p['date_from']}|{place}|{kind}".encode()).hexdigest()[:6]
    return f"{p['date_from']}-{place}-{TYPE_WORDS[p['event_type']]}-{digest}"

