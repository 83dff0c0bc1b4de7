"""Stage 5 (scope): which candidates are the report's incidents at all.

- A headline restates the story: where the body tells an attack at the same place, the headline's own
  reading of it (often a looser word: "strikes" for a drone attack) goes.
- The map is of attacks on or by US and coalition forces. An attack told with no such party (a Turkish
  drone strike on a PKK car, Iranian missiles on Kurdish opposition camps) and not at one of the known
  sites is out of scope.
- "Missiles" and "rockets" for one attack: outlets call unguided rockets missiles; without a word that
  makes them missiles (ballistic, cruise, surface-to-surface) the attack is a rocket attack.
"""

from __future__ import annotations

import re

from geo.dedup import merge, same_place, spans_overlap
from geo.extract import lexicon_ar
from geo.extract.candidates import Candidate
from geo.extract.language import ARABIC_LETTER
from geo.extract.sentences import Sentence

COALITION_PARTY = re.compile(r"\b(?:U\.?S\.?|American|Americans|United States|coalition|Pentagon|CENTCOM|Central "
                             r"Command|Inherent Resolve|OIR|NATO|Western|foreign (?:forces|troops)|international "
                             r"(?:forces|troops|coalition)|embassy|consulate|contractors?)\b", re.I)
# the same parties in Arabic: American (forces), the coalition, the embassy or consulate, Washington, the Pentagon
COALITION_PARTY_AR = re.compile(r"(?:أمريكي|أميركي|الأمريكي|الأميركي|أمريكية|أميركية|الأمريكية|الأميركية|التحالف|"
                                r"واشنطن|البنتاغون|البنتاجون|السفارة|القنصلية|القوات الأجنبية)")
# the target named as the coalition's own: "قاعدة لقوات التحالف", "قاعدة أمريكية", "القوات الأمريكية في"
COALITION_TARGET_AR = re.compile(
    r"(?<![\u0621-\u064A])[وفبل]?(?:ال)?(?:قاعدة|قواعد|منشأة|منشآت|معسكر|قوات|جنود|مستشارين|دورية|رتل|أرتال)"
    r"(?:\s+\S+){0,3}?\s+(?:ل|ال|لل)?(?:قوات\s+)?(?:التحالف|تحالف|أمريكية|أميركية|الأمريكية|الأميركية|الأمريكيين|الأميركيين)"
    r"(?![\u0621-\u064A])|"
    # what belongs to the coalition: "رتل ينقل معدات لوجستية تابعة للتحالف الدولي", "شاحنات تعود للقوات الأمريكية"
    r"(?<![\u0621-\u064A])(?:تابعة|تابع|التابعة|التابع|لصالح|تعود|يعود|متعاقدة مع|متعاقد مع)\s+"
    r"(?:ل|لل|ال)?(?:قوات\s+)?(?:التحالف|تحالف|الأمريكية|الأميركية|الامريكية|الاميركية|قوات التحالف)(?![\u0621-\u064A])|"
    # the resistance's word for US forces: "وكر الاحتلال الأمريكي", "رتل إمداد للاحتلال"
    r"(?:ال)?احتلال\s+(?:ال)?(?:أمريكي|أميركي|امريكي|اميركي)(?![\u0621-\u064A])|"
    r"(?<![\u0621-\u064A])[و]?للاحتلال(?![\u0621-\u064A])(?!\s+(?:الإسرائيلي|الصهيوني|الاسرائيلي))|"
    # Americans among the dead or wounded: "أسفر عن مقتل أميركي", "إصابة جنديين أمريكيين"
    r"(?<![\u0621-\u064A])[وفب]?(?:مقتل|قتل|إصابة|اصابة|جرح)\s+(?:\S+\s+){0,2}?"
    r"(?:أميركي|أمريكي|أميركيين|أمريكيين|أميركيا|أمريكيا|أميركيان|أمريكيان)(?![\u0621-\u064A])")
STATE_STRIKERS_ABROAD = ("Turkish forces", "Israeli forces", "Islamic Revolutionary Guard Corps")
FACILITY_KINDS = ("embassy", "government", "air_base", "military_base", "outpost", "airport", "oil_field", "area")
GUIDED = re.compile(r"\b(?:ballistic|cruise|surface-to-surface|guided|Fateh|Zolfaghar|Qiam)\b|"
                    + lexicon_ar.GUIDED, re.I)
_EXPLOSIONS = re.compile(lexicon_ar.EXPLOSIONS)
_BLASTS_EXPLAINED = re.compile(lexicon_ar.BLASTS_EXPLAINED)


def is_headline(sentence: Sentence) -> bool:
    """A line at the top with no closing full stop: the title or a standfirst."""
    return sentence.index <= 2 and not re.search(r"[.!?][\"'”’)]*\s*$", sentence.text)


def drop_headline_echoes(candidates: list[Candidate], ancestors) -> list[Candidate]:
    """Without headline candidates at a place the body also puts an attack (or inside or around it)."""
    body = [c for c in candidates if not is_headline(c.sentences[0])]

    def related(a: Candidate, b: Candidate) -> bool:
        if a.place.site_id and b.place.site_id:
            return a.place.site_id == b.place.site_id or a.place.site_id in ancestors(b.place.site_id) \
                or b.place.site_id in ancestors(a.place.site_id)
        if not a.place.site_id and a.place.admin1 and a.event_type == b.event_type and \
                (a.place.country_code, a.place.admin1) == (b.place.country_code, b.place.admin1):
            return True  # a headline's town or province, and the body's place in that province
        return (a.place.name, a.place.country_code) == (b.place.name, b.place.country_code)

    kept = []
    for c in candidates:
        echoes = [b for b in body if related(c, b)] if is_headline(c.sentences[0]) else []
        if not echoes:
            kept.append(c)
            continue
        for b in echoes[:1]:  # what was learnt of the attack through the headline's candidate stays
            b.killed = b.killed if b.killed is not None else c.killed
            b.injured = b.injured if b.injured is not None else c.injured
            if b.perpetrator is None and c.perpetrator:
                b.perpetrator, b.attribution = c.perpetrator, c.attribution
    return kept


def in_scope(candidate: Candidate, report_text: str) -> bool:
    """Whether an attack involves US or coalition forces, as far as the report lets one tell."""
    if candidate.perpetrator == "US forces":
        return True
    told = " ".join(s.text for s in candidate.sentences)
    if candidate.event_type == "other" and _EXPLOSIONS.search(told) and _BLASTS_EXPLAINED.search(report_text):
        return False  # Arabic: explosions the report says were a test or an exercise
    at_site = bool(candidate.place.site_id) and candidate.place.kind in FACILITY_KINDS
    if candidate.perpetrator in STATE_STRIKERS_ABROAD and not at_site and not COALITION_PARTY.search(told) \
            and not COALITION_PARTY_AR.search(told):
        return False  # one state's strike on others, in the region but not on the coalition
    return at_site or bool(COALITION_PARTY.search(told)) or bool(COALITION_PARTY.search(report_text[:1500])) \
        or bool(COALITION_TARGET_AR.search(told))


# a sentence telling what another outlet had said before: "وكانت قناة ... أفادت بسقوط صواريخ",
# "Local media had earlier reported rockets", "Initial reports said mortars"
OTHER_ACCOUNT = re.compile(
    r"^\W*[وف]?(?:كانت|كان)\s+(?:\S+\s+){0,5}?(?:أفادت|أفاد|ذكرت|ذكر|أعلنت|أعلن|قالت|قال|نقلت|نقل|أشارت|تحدثت)(?!\w)|"
    r"\bhad (?:earlier |initially |first )?(?:reported|said)\b|\b(?:earlier|initial|first) reports? (?:said|had said|"
    r"suggested|spoke of)\b|\binitially reported\b", re.I)


def fold_other_accounts(features: list[dict], ancestors) -> list[dict]:
    """An attack one sentence tells as what another outlet had first reported, at the place and on the
    days of the attack the report tells, is that attack told with other means ("a drone hit the airport
    ... Local TV had reported rockets falling near the airport"): it joins it, its means kept as a
    disagreement, instead of standing as a second incident."""
    kept: list[dict] = []
    for feature in features:
        quote = " ".join(s.get("quote") or "" for s in feature["properties"].get("sources") or [])
        told = next((k for k in kept if same_place(k, feature, ancestors) and spans_overlap(k, feature)),
                    None) if OTHER_ACCOUNT.search(quote) else None
        if told is None:
            kept.append(feature)
            continue
        merge(told, feature, ancestors, in_place=True)
    return kept


# one more of the attacks just told: "a second device hit another convoy", "عبوة ثانية استهدفت رتلا مماثلا"
ANOTHER = re.compile(r"\b(?:another|a second|a third|a further|a similar)\b|"
                     r"(?<![\u0621-\u064A])(?:ثانية|ثان|ثالثة|آخر|أخرى|مماثل|مماثلا|مماثلاً|مماثلة)(?![\u0621-\u064A])", re.I)


def in_scope_all(candidates: list[Candidate], report_text: str) -> list[Candidate]:
    """The candidates in scope: each on its own (``in_scope``), or as one more of an in-scope attack told
    just before it ("a second bomb hit a similar convoy near Samawah" after one on the coalition's)."""
    kept: list[Candidate] = []
    for candidate in candidates:
        first = candidate.sentences[0]
        if in_scope(candidate, report_text) or (ANOTHER.search(first.text) and any(
                0 <= first.index - k.sentences[0].index <= 2 for k in kept)):
            kept.append(candidate)
    return kept


def settle_means(feature: dict, report_text: str = "") -> None:
    """A missile attack some sentences call rockets is a rocket attack unless a word in the report makes
    the missiles guided."""
    props = feature["properties"]
    told = (props.get("disagreements") or {}).get("event_type") or []
    quotes = " ".join(s.get("quote") or "" for s in props.get("sources") or [])
    if props["event_type"] == "missile_attack" and "rocket_attack" in told and not GUIDED.search(quotes) \
            and not GUIDED.search(report_text):
        props["event_type"] = "rocket_attack"
        props["disagreements"]["event_type"] = ["rocket_attack"] + [t for t in told if t != "rocket_attack"]
    elif props["event_type"] == "rocket_attack" and ARABIC_LETTER.search(quotes) and GUIDED.search(report_text):
        # Arabic has one word (صاروخ) for rockets and missiles: the report's "ballistic" says which
        props["event_type"] = "missile_attack"
