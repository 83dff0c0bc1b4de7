"""Stage 3: mentions in one sentence: the means of attack, casualties, perpetrators, targets."""

from __future__ import annotations

import functools
import re

from geo.extract import lexicon_ar
from geo.extract.casualties import find_casualties, number
from geo.extract.lexicon import (
    CLAIMED,
    DEFINITE_STRIKE,
    EVENT_PATTERNS,
    GENERIC_PERPETRATORS,
    GROUP_NAMES,
    NEGATED_CLAIM,
    ON_COALITION,
    PERPETRATORS,
    STATE_ACTOR,
    STATE_DRONE,
    STATE_STRIKE,
    TARGET_MEANS,
    TURKISH_ACTOR,
    US_ACTOR,
)
from geo.gazetteer import Place

__all__ = ["find_casualties", "number"]


def mask_target_means(text: str) -> str:
    """Blank out means named as targets ("drone storage sites"), keeping every position."""
    return TARGET_MEANS.sub(lambda m: " " * len(m.group(0)), text)


_MEANS_WORD = r"(?:drones?|rockets?|missiles?|mortars?|katyushas?)"
# the weapon left open: "a drone or rocket attack", "rockets or mortars hit the base"
UNRESOLVED_MEANS = re.compile(rf"\b{_MEANS_WORD}\s+or\s+{_MEANS_WORD}\b", re.I)


# a drone that struck the militias, not the coalition: a state's strike ("an unidentified drone struck a vehicle
# belonging to a PMF brigade", "استهدفت طائرة مسيرة سيارة تابعة للحشد الشعبي")
MILITIA_STRUCK = re.compile(
    r"\b(?:struck|hit|targeted|killed|killing)\b[^.;]{0,60}?\b(?:PMF|Popular Mobili[sz]ation|Hashd|Kata'?[ie]?b|"
    r"militia(?:men)?|militants?|Hezbollah|Nujaba|commanders?)\b|"
    r"\b(?:struck|hit|targeted)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:vehicle|car|pickup|SUV)\b|"
    r"(?:استهدفت|استهدف|قصفت|ضربت)\s+(?:\S+\s+){0,4}?(?:للحشد|الحشد الشعبي|لكتائب|كتائب حزب الله|قياديا|قيادي|"
    r"لفصيل|لفصائل|عناصر|عجلة|سيارة|مركبة|عربة)|"
    # "ضربة نفذتها طائرة مسيرة": a strike, as a state's drone flies one
    r"(?<!\w)[وب]?ضربة\s+(?:جوية\s+)?(?:نفذتها|شنتها)\s+(?:\S+\s+)?(?:طائرة|مسيرة)", re.I)
# explosions with no weapon named: "a loud explosion shook the K1 base", "blasts were heard at the airport"
EXPLOSIONS_EN = re.compile(r"\b(?:explosions?|blasts?)\b", re.I)
# rockets or mortars, the report does not say which: "an indirect fire attack", "indirect-fire rounds"
INDIRECT_FIRE = re.compile(r"\bindirect[- ]fire\b", re.I)
_EXPLOSIONS = re.compile(lexicon_ar.EXPLOSIONS)
_SHELLING = re.compile(lexicon_ar.SHELLING)
# a convoy attacked with no weapon named: "a US logistics convoy was targeted", "استهدف رتل للقوات الأمريكية"
CONVOY_ATTACKED = re.compile(r"\bconvoys?\b[^.;]{0,60}?\b(?:was|were|came under|had been)\s+(?:\w+\s+)?"
                             r"(?:targeted|attacked|hit|struck|attack)\b|\b(?:targeted|attacked|attacks? on|struck)\s+"
                             r"(?:a|an|the|two|three|several)?\s*(?:[\w-]+\s+){0,3}?convoys?\b|"
                             + lexicon_ar.CONVOY_ATTACKED, re.I)


@functools.lru_cache(maxsize=2048)  # asked of a sentence, its parts and its neighbours
def find_event_type(text: str) -> str | None:
    """The means of attack a sentence names, with state strikes told apart from militia attacks; ``other``
    when it leaves the weapon open ("drone or rocket attacks")."""
    text = mask_target_means(text)
    if UNRESOLVED_MEANS.search(text):
        first, second = re.findall(_MEANS_WORD, UNRESOLVED_MEANS.search(text).group(0), re.I)
        if first.rstrip("s").lower() != second.rstrip("s").lower():
            return "other"
    state = STATE_ACTOR.search(text)
    if state and STATE_STRIKE.search(text):
        if not ON_COALITION.search(text) or DEFINITE_STRIKE.search(text):
            return "airstrike"
    hits = []
    for event_type, pattern in EVENT_PATTERNS:
        match = pattern.search(text)
        if match:
            hits.append((match.start(), event_type))
    if not hits:
        # Arabic explosions, or shelling, with no weapon named
        return "other" if _EXPLOSIONS.search(text) or _SHELLING.search(text) or CONVOY_ATTACKED.search(text) \
            or INDIRECT_FIRE.search(text) or EXPLOSIONS_EN.search(text) else None
    if any(t == "airstrike" for _, t in hits) or (min(hits)[1] == "drone_attack" and (
            STATE_DRONE.search(text) or MILITIA_STRUCK.search(text))):
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
    generic = [n for n in names if n in GENERIC_PERPETRATORS]
    specific = [n for n in names if n not in generic]
    perpetrator = (f"{generic[0]}: {', '.join(specific)}" if generic and specific
                   else ", ".join(specific) if specific else generic[0])
    claimed = CLAIMED.search(text) and not NEGATED_CLAIM.search(text)
    return perpetrator, "claimed" if claimed else "attributed"


def target_for(place: Place, event_type: str, text: str) -> str | None:
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


@functools.lru_cache(maxsize=2048)
def nearest_means(before: str) -> str | None:
    """The means of attack named closest before a place ("a missile and rocket attack on X"): the
    type of that clause, whatever else the sentence is about. A state's drone is a strike."""
    before = mask_target_means(before)
    unresolved = list(UNRESOLVED_MEANS.finditer(before))
    if unresolved and unresolved[-1].end() > len(before) - 60:
        return "other"
    last = None
    for event_type, pattern in [*EVENT_PATTERNS, ("other", INDIRECT_FIRE)]:
        for match in pattern.finditer(before):
            if last is None or match.end() > last[0]:
                last = (match.end(), event_type)
    if last is None:
        return None
    if last[1] == "drone_attack" and (STATE_DRONE.search(before) or MILITIA_STRUCK.search(before[last[0]:]) or (
            before[last[0] - 1:last[0]].lower() == "e" and re.match(r"\s+strikes?\b", before[last[0]:]))):
        return "airstrike"  # a state's drone, or a "drone strike": the flying side's strike
    return last[1]


# a group's name as a report introduces one it does not know: "a group calling itself Qasim al-Jabbarin",
# "فصيل يطلق على نفسه اسم «سرايا ...»"
SELF_NAMED = re.compile(r"\b(?:calling itself|calls itself|which calls itself|known as|named)\s+(?:the\s+)?"
                        r"(?P<name>[\"“]?[A-Z][\w'’]*(?:[\s-]+(?:al|el|ad|ar|as|ash|at|az)?[\s-]*[A-Z][\w'’]*){0,4}[\"”]?)|"
                        r"(?:تطلق على نفسها(?: اسم)?|يطلق على نفسه(?: اسم)?|تسمي نفسها|يسمي نفسه|تدعى|يدعى)\s+"
                        r"(?P<ar>[\"«“][^\"»”\n]{2,50}[\"»”]|\S+(?:\s+\S+){0,2})")


@functools.lru_cache(maxsize=2048)
def mask_groups(text: str) -> str:
    """Blank out armed groups' names, which hold place names of their own (the known ones, and one a
    report names as "a group calling itself ...")."""
    for pattern in GROUP_NAMES:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)

    def blank(match: re.Match) -> str:
        group = "name" if match.group("name") else "ar"
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        whole = match.group(0)
        return whole[:start] + " " * (end - start) + whole[end:]

    return SELF_NAMED.sub(blank, text)


def _far(before: str) -> bool:
    match = re.search(r"(\d{1,6})\s*(?:km|kilomet(?:re|er)s?|miles)\s+(?:\w+\s+)?(?:of|from)\s*$", before, re.I)
    return bool(match and int(match.group(1)) > 50)