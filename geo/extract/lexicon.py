"""The English lexicon of extraction: the words for means of attack, acts, actors, casualties and
the phrasings that mark a sentence as background, a threat or a reference point.

Each stage takes its patterns from here, so that another language is another lexicon, not other code.
"""

from __future__ import annotations

import re

from geo.extract import lexicon_ar

REGION = ("IQ", "SY", "JO")
REFERENCE = re.compile(r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|"
                       r"south-east|south-west)(?:ern)?\s+of|\btowards?|\bheading (?:to|for)|\bbound for|"
                       r"\b(?:launched|fired) from\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?(?:of\s+)?|\bkilomet(?:re|er)s?\s+(?:\w+\s+)?(?:of|from)|\bkm\s+"
                       r"(?:\w+\s+)?(?:of|from)|\bmiles\s+(?:\w+\s+)?(?:of|from)|"
                       r"\b(?:launch\w*|fired)\b[\w\s]{0,35}?\b(?:from|near the (?:town|city|village) of)|"
                       # who told it, not where it happened: "an Iraqi official in Baghdad said"
                       r"\b(?:officials?|sources?|spokes(?:man|woman|person)|ministry|correspondents?|reporters?|"
                       r"diplomats?|analysts?|residents?|journalists?|officers?)\s+(?:based\s+)?in|"
                       # where the wounded were taken: "taken to hospital in Qamishli"
                       r"\bhospitals?\s+in|\b(?:taken|evacuated|flown|rushed|transferred)\s+to\s+(?:\w+\s+){0,2}?in)"
                       r"\s*$", re.I)
# places that are not where the attack was, whatever else the sentence names: who told it, where the
# rockets came from or were heading, where the wounded were taken
NOT_THERE = re.compile(r"(?:\btowards?|\bheading (?:to|for)|\bbound for|"
                       # where a convoy came from, and where the search went after the attack
                       r"\b(?:heading|travelling|traveling|coming|driving|on its way)\s+(?:\w+\s+)?from(?:\s+the\s+\w+\s+of)?|"
                       r"\b(?:sweep|search|manhunt|cordon)\b[^.;]{0,30}?\bin(?:\s+the\s+\w+\s+of)?|"
                       r"\b(?:launched|fired) from\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?(?:of\s+)?|"
                       r"\b(?:officials?|sources?|spokes(?:man|woman|person)|ministry|correspondents?|reporters?|"
                       r"diplomats?|analysts?|residents?|journalists?|officers?|readers|witnesses|eyewitnesses|"
                       r"people|locals|viewers)\s+(?:based\s+)?in|"
                       r"\bhospitals?\s+in|\b(?:taken|evacuated|flown|rushed|transferred)\s+to\s+(?:\w+\s+){0,2}?in|"
                       # an outlet named for a place: "told Anbar Gate", "according to Kurdistan 24"
                       r"\b(?:told|according to|quoted by|cited by|reported by)|"
                       # a capital standing for its government: "the government in Damascus", "talks in Baghdad"
                       r"\b(?:government|regime|authorities|administration|leadership|parliament|talks|visit|"
                       r"delegation|meeting)\s+(?:\w+\s+)?in)"
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
    ("ied", _R(r"\b(IEDs?|roadside bombs?|improvised explosive devices?|explosive devices?|landmines?|"
               r"(?:car |truck |sticky |magnetic )?bombs?(?! (?:shelters?|squads?|disposal))|"
               r"(?:first|second|third|another|the) devices?(?= (?:\w+ )?(?:exploded|detonated|went off|blew up)))\b")),
    ("mortar_attack", _R(r"\bmortars?(?:\s+(?:bombs?|rounds?|shells?))?\b")),
    ("rocket_attack", _R(r"\b(rockets?|katyushas?|salvos?)\b(?![- ]launch)")),
    ("missile_attack", _R(r"\b(ballistic missiles?|cruise missiles?|missiles?)\b")),
    ("drone_attack", _R(r"\b(drones?|UAVs?|UAS|unmanned aerial (?:vehicles?|systems?|aircraft))\b")),
    ("other", _R(r"\b(?:storm(?:ed|ing)|overr(?:an|un)|set (?:on )?fire to)\b")),  # a crowd's assault, no weapon
    ("small_arms", _R(r"\b(gunfire|small[- ]arms|opened fire|gunmen|sniper|machine[- ]guns?|shot at)\b")),
    ("airstrike", _R(r"\b(air ?strikes?|air raids?|air attacks?|(?:attack )?helicopters?|bombing raids?|warplanes?|fighter jets?|jets|gunships?|AC-130|F-15E?s?|"
                     r"B-1B?s?|precision strikes?|retaliatory strikes?)\b")),
]
STATE_ACTOR = _R(r"\b(U\.?S\.?|American|United States|Pentagon|CENTCOM|Central Command|coalition|Turkish|Turkey|"
                 r"Israeli|Jordanian)\b(?:\s+\w+){0,3}?\s*\b(forces|military|troops|aircraft|warplanes|jets|gunships?|"
                 r"drones?|strikes?|struck|carried out|conducted|launched|air force)\b|"
                 r"\b(U\.?S\.?|American|Turkish|Israeli|Jordanian|coalition)\s+(drone\s+)?strikes?\b|"
                 r"\bthe (U\.?S\.?|United States) (struck|hit|bombed|retaliated)\b")
ACT = _R(r"\b(attack(?:s|ed|ing)?|struck|strikes?|hit|hits|target(?:s|ed|ing)?|fired|launched|landed|fell|"
         r"shell(?:ed|ing)|bomb(?:ed|ing)|explod(?:ed|ing)|detonated|killed|killing|wounded|injured|"
         r"intercepted|shot down|downed|crashed|raid(?:ed)?|assault(?:ed)?|blast|explosion|impact(?:ed)?|"
         r"retaliat(?:ed|ion)|slammed|pounded|came under|engag(?:ed|ing)|approached|repelled|thwarted|foiled|"
         r"martyr(?:ed|ing)|conducted|carried out|air ?strikes?|storm(?:ed|ing)|overr(?:an|un)|destroy(?:ed|ing)|went off|came down|rained down|brought down|approaching)\b")
# means named as what was struck, not what struck: "rocket, missile and drone storage sites", "rocket launchers"
TARGET_MEANS = _R(r"\b(?:(?:rockets?|missiles?|drones?|UAVs?|weapons?|ammunition|munitions?|explosives?)"
                  r"(?:,\s*|\s+and\s+|\s+or\s+|\s+))+(?:storage|depots?|launchers?|launch sites?|factor(?:y|ies)|"
                  r"warehouses?|workshops?|production|stores|caches?|sites?|facilit(?:y|ies)|shipments?|"
                  r"infrastructure|capabilities|components?)\b")
AGGREGATE = _R(r"\b(\d+|a dozen|dozens of|dozens|more than \d+|at least \d+|over \d+)\s+(?:\w+\s+){0,2}?"
               r"(times|attacks|strikes)\b|"
               r"\b(series|wave|string|spate|campaign|flurry|spree|number|dozens) of (?:[\w-]+\s+){0,4}?(attacks|strikes)\b|"
               r"\b(many|several|numerous|multiple|frequent|repeated|countless) (?:[\w-]+\s+){0,2}?(attacks|strikes)\b|"
               r"\battacks? (?:on [\w\s-]+ )?since\b|\b\d+(st|nd|rd|th) attack\b|"

               # what happens often is no incident: "has been attacked repeatedly", "regularly the target of rockets"
               r"\b(repeatedly|regularly|frequently|routinely|often|usually|sporadic(?:ally)?)\b")
THREAT = _R(r"\b(threaten(?:s|ed)?|vow(?:s|ed)?|warn(?:s|ed)?|would|could|may(?!\s+\d)|might|will|plan(?:s|ned)? to|"
            r"intend|if)\b(?<!\d May)(?<!\d\d May)")  # (the month: "on May 14", "14 May")
PAST_ACT = _R(r"\b(struck|hit|fired|launched|landed|fell|killed|wounded|injured|exploded|detonated|targeted|"
              r"attacked|shot down|downed|intercepted|carried out|conducted)\b")
OUTSIDE = _R(r"\b(Red Sea|Gulf of Aden|Bab al-Mandab|Arabian Sea|Gaza|Israel|Yemen|Lebanon|Tehran|Washington|"
             r"merchant (ship|vessel)|cargo ship|tanker|destroyer|warship|aircraft carrier)\b")
BEFORE_ANCHOR = _R(r"\b(?:(?P<n>\w+)\s+)?(days?|weeks?|hours)\s+after\b|\bfollow(?:ed|ing|s)\b(?!\s+by\b)")

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

# where a stage looked for these words inline, they live here now, unchanged for English
STATE_STRIKE = _R(r"\b(strikes?|struck|bombed|airstrikes?|drone strike|retaliat)")
ON_COALITION = _R(r"\b(attacks?|targeted|fired)\s+(?:on |at |against )?(?:the )?(U\.?S\.?|American|coalition)")
DEFINITE_STRIKE = _R(r"\b(air ?strikes?|drone strike|retaliat)")
GENERIC_PERPETRATORS = ("Iran-aligned militias", "militias")
GROUP_NAMES = [pattern for pattern, _ in PERPETRATORS[:6]]  # names that hold places of their own

# ---- other languages: each pattern reads Arabic too (lexicon_ar); Arabic letters never occur in English
# words, so an English text is read exactly as before.


def _with(english: re.Pattern, other: str) -> re.Pattern:
    """``english`` with ``other`` as a last alternative (the English groups keep their numbers)."""
    return re.compile(f"(?:{english.pattern})|(?:{other})", english.flags)


def _add_language(lexicon) -> None:
    names = ("REFERENCE", "NOT_THERE", "ACT", "TARGET_MEANS", "AGGREGATE", "THREAT", "PAST_ACT", "OUTSIDE", "US_ACTOR",
             "TURKISH_ACTOR", "NEGATED_CLAIM", "STATE_DRONE", "CLAIMED", "ATTRIBUTED", "STATE_STRIKE",
             "ON_COALITION", "DEFINITE_STRIKE")
    module = globals()
    renamed = {"US_ACTOR": "US", "TURKISH_ACTOR": "TURKISH"}
    for name in names:
        module[name] = _with(module[name], getattr(lexicon, renamed.get(name, name)))
    module["STATE_ACTOR"] = _with(STATE_ACTOR, lexicon.STATE_ACTOR_VERB)
    theirs = dict(lexicon.EVENT_PATTERNS)
    module["EVENT_PATTERNS"] = [(kind, _with(pattern, theirs[kind]) if kind in theirs else pattern)
                                for kind, pattern in EVENT_PATTERNS]
    added = [(re.compile(pattern), name) for pattern, name in lexicon.PERPETRATORS]
    module["PERPETRATORS"] = PERPETRATORS + added
    module["GROUP_NAMES"] = GROUP_NAMES + [pattern for pattern, name in added
                                           if name not in lexicon.GENERIC_PERPETRATORS]
    module["GENERIC_PERPETRATORS"] = GENERIC_PERPETRATORS + lexicon.GENERIC_PERPETRATORS


_add_language(lexicon_ar)
