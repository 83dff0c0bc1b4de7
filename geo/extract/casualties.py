"""Stage 3 (numbers): how many were killed and injured, as a sentence states it.

Counts are read where the sentence ties them to a verb: "three were killed", "killing a contractor",
"two Americans and a Briton are dead" (summed), "wounded five others and a soldier" (summed). A count
of those "among the dead" is part of a toll, not the toll. "No casualties" is 0 killed and 0 injured;
"no injuries" only rules out injuries, and "no one was killed" only deaths.
"""

from __future__ import annotations

import functools
import re

from geo.extract import lexicon_ar
from geo.extract.language import ARABIC_LETTER, fold_arabic

_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
WORD_NUMBERS = {word: i for i, word in enumerate(_UNITS, start=1)} | _TENS | {
    "a": 1, "an": 1, "a single": 1, "a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2}
for _ten, _value in _TENS.items():
    for _i, _unit in enumerate(_UNITS[:9], start=1):
        WORD_NUMBERS[f"{_ten}-{_unit}"] = WORD_NUMBERS[f"{_ten} {_unit}"] = _value + _i

_COUNT_WORDS = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS if w not in ("a", "an")), key=len,
                               reverse=True))
_NOT_A_TIME = r"(?!\s*(?:GMT|UTC|hrs?\b|hours local|local time))"  # "(1840 GMT)" is a time
N = rf"(?:(?<![:.,\d])\d{{1,6}}(?![:.,]?\d){_NOT_A_TIME}|{_COUNT_WORDS})"          # a count, not "a"
NA = rf"(?:(?<![:.,\d])\d{{1,6}}(?![:.,]?\d){_NOT_A_TIME}|{_COUNT_WORDS}|an?)"     # a count, or "a"/"an" as one
Q = r"(?:more than |over |at least |about |around |some |nearly |up to |an estimated |roughly )?"
# words between a subject's count and its verb; never another verb of harm or a count
GAP = r"(?:(?!(?:killed|dead|died|martyred|wounded|injured|hurt|\d+)\b)(?!and\s+\d)[\w'’.()-]+,?\s+){0,8}?"
WORDS = r"(?:(?!(?:and|were|was|are|is|killed|wounded|injured)\b)[\w'’.-]+\s+){0,4}?"
# the same, for the second part of a summed count: "... and a Briton serving with the US-led coalition were ..."
WORDS_LONG = r"(?:(?!(?:and|were|was|are|is|killed|wounded|injured)\b)[\w'’.-]+\s+){0,7}?"
DEAD = r"(?:killed|dead|died|martyred|lost their lives)"
HURT = r"(?:wounded|injured|hurt)"
_R = lambda pattern: re.compile(pattern, re.I)  # noqa: E731


def _patterns(verb: str, verb_ing: str, noun: str) -> list[re.Pattern]:
    """The ways a count is tied to harm: subject before the verb, object after it, singular."""
    return [
        _R(rf"\b{Q}(?P<n>{NA})\s+{WORDS}and\s+{Q}(?P<m>{NA})\s+{WORDS_LONG}(?:were |are |have been |had been )?"
           rf"(?:(?:lightly|slightly|seriously|critically|badly|mildly) )?{verb}\b"),
        _R(rf"\b{Q}(?P<n>{N})\s+{GAP}(?:were |was |are |is |have been |had been )?{verb}\b"),
        _R(rf"\b(?P<n>an?|one)\s+(?:(?!(?:no|not|none|nobody)\b)[\w'’.-]+\s+){{0,5}}?(?:was|has been|had been|is)\s+"
           rf"{verb}\b"),
        _R(rf"\b(?:{verb_ing}|{verb})\s+{Q}(?P<n>{NA})\b(?!\s+(?:number|few|handful|dozen)\b)"),
        _R(rf"\b{noun}\s+(?:to|of)\s+{Q}(?P<n>{NA})\b(?!\s+(?:number|few|handful|dozen)\b)"),
    ]


KILLED = _patterns(DEAD, r"(?:killing|kills|martyring|claimed the lives of|claiming the lives of)",
                   r"(?:deaths?|martyrdom)") + [
    _R(r"\b(?P<n>an?|one)\s+(?:[\w'’.-]+\s+){0,4}?died\b"),
    _R(rf"\b{Q}(?P<n>{N}|a single)\s+(?:deaths?|fatalit(?:y|ies))\b"),
]
INJURED = _patterns(HURT, r"(?:wounding|injuring)", r"(?:minor |light |slight |serious )?injuries") + [
    _R(rf"\b{Q}(?P<n>{N})\s+{GAP}(?:sustained|suffered|received)\s+(?:\w+\s+)?(?:injuries|wounds)\b"),
    _R(rf"\b{Q}(?P<n>{N})\s+(?:[\w-]+\s+){{0,3}}?with (?:minor |light |slight |serious )?injuries\b"),
]
# "... and a US soldier": a second group named after the first count, not another verb
MORE = _R(rf"^\s*(?:(?!(?:and|killed|killing|wounded|wounding|injured|injuring)\b)[\w'’.-]+\s+){{0,5}}?(?:others?\s+|people\s+|personnel\s+)?and\s+(?P<n>{NA})\s+"
          r"(?!(?:killed|wounded|injured|more)\b)[\w'’.-]+")
NEGATED = _R(r"\b(?:no|not|none of the|without)\s*$")
ZERO_BOTH = _R(r"\bno (?:immediate |initial |reported )?(?:reports? of )?(?:casualties|victims)\b|"
               # "no human losses", "without human casualties", "no coalition casualties", "without causing any losses"
               r"\b(?:no|without(?: causing)?(?: any)?) (?:human|coalition|US|U\.S\.|American) (?:casualties|losses)\b|"
               r"\bno (?:human )?losses\b|\bwithout (?:causing |any )*(?:human )?losses\b|"
               r"\bno(?:body| one) (?:was|had been|has been) (?:hurt|harmed|injured or killed|killed or injured)\b|"
               r"\bwithout (?:causing |any )*(?:casualties|victims)\b|\bcaus(?:ed|ing) no (?:casualties|victims)\b|"
               r"\b(?:no|not|neither)\b[^.;]{0,40}\binjuries or (?:casualties|deaths)\b|"
               r"\bno (?:casualties|injuries) or (?:deaths|casualties|injuries)\b|"
               r"\bno (?:US |U\.S\. |American |coalition )?(?:personnel|troops|service ?members|soldiers|staff|one) "
               r"(?:were |was )?(?:hurt|harmed)\b")
ZERO_KILLED = _R(r"\bno(?:body| one) (?:was|had been|has been) killed\b|\bno (?:immediate |reported )?(?:deaths|fatalities)\b|"
                 r"\bno (?:US |U\.S\. |American |coalition )?(?:personnel|troops|service ?members|soldiers|staff|"
                 r"civilians) (?:were |was )?killed\b")
ZERO_INJURED = _R(r"\bno (?:immediate |reported )?injuries\b|\bno(?:body| one) (?:was|had been|has been) (?:injured|wounded)\b|"
                  r"\bno (?:US |U\.S\. |American |coalition )?(?:personnel|troops|service ?members|soldiers|staff|"
                  r"civilians) (?:were |was )?(?:injured|wounded)\b|\bcaus(?:ed|ing) no injuries\b|"
                  r"\bneither caused (?:any )?injuries\b")


def number(text: str) -> int | None:
    """A count as a number: "12", "twelve", "twenty-five", "a dozen", "١٢", "ثلاثة"; None for what is no count."""
    text = re.sub(r"\s+", " ", text.lower().strip())
    if text.isdigit():  # Eastern Arabic digits too: int("١٢") == 12
        return int(text) if len(text) <= 6 else None
    return WORD_NUMBERS.get(text) or _arabic_number(text)


def _arabic_number(text: str) -> int | None:
    """An Arabic count word, or an indefinite singular (one) or dual (two) noun standing for its count."""
    folded = fold_arabic(text)
    if folded in _AR_NUMBERS:
        return _AR_NUMBERS[folded]
    return 2 if folded in _AR_TWO else 1 if folded in _AR_ONE else None


_AR_NUMBERS = {fold_arabic(k): v for k, v in lexicon_ar.NUMBER_WORDS.items()}
_AR_ONE = {fold_arabic(k) for k in (*lexicon_ar.ONE_NOUNS, "آخر", "أخرى")}  # ("وآخر بريطاني": one more)
_AR_TWO = {fold_arabic(k) for k in lexicon_ar.TWO_NOUNS}


DEATH_WORDS = _R(r"killed|dead|died|death|martyr|lives|killing|kills|fatalit|" + lexicon_ar.DEATH_WORDS)  # martyr: martyred, martyrdom
HARM_WORDS = _R(r"wound|injur|hurt|" + lexicon_ar.HARM_WORDS)
# the same in Arabic (lexicon_ar): further readings of a sentence that has Arabic letters
KILLED_AR = KILLED + [_R(p) for p in lexicon_ar.KILLED]
INJURED_AR = INJURED + [_R(p) for p in lexicon_ar.INJURED]
ZERO_BOTH = re.compile(f"(?:{ZERO_BOTH.pattern})|(?:{lexicon_ar.ZERO_BOTH})", ZERO_BOTH.flags)
ZERO_KILLED = re.compile(f"(?:{ZERO_KILLED.pattern})|(?:{lexicon_ar.ZERO_KILLED})", ZERO_KILLED.flags)


MORE_AR = re.compile(lexicon_ar.MORE)
MONTH_BEFORE = _R(r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                  r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*$")


def _first_count(text: str, patterns: list[re.Pattern]) -> int | None:
    best: tuple[int, int, int] | None = None  # (start, -length, -count): the first, longest, largest
    for pattern in patterns:
        for match in pattern.finditer(text):
            if NEGATED.search(text[max(0, match.start() - 20):match.start()]):
                continue  # "no one was hurt", "not one soldier was killed"
            if re.search(r"\bamong\b", match.group(0), re.I) or \
                    re.match(r"\s*(?:were |was )?among\b", text[match.end():], re.I):
                continue  # "four commanders were among the dead" is part of a toll
            count = number(match.group("n"))
            if count is None or MONTH_BEFORE.search(text[max(0, match.start("n") - 12):match.start("n")]):
                continue  # "a December 27 attack that killed ...": a day of the month, not a count
            if "m" in match.groupdict() and match.group("m"):
                extra = number(match.group("m"))
                count += extra or 0
            elif match.end() == match.end("n"):  # "wounded five others and a soldier"
                more = MORE.match(text[match.end():match.end() + 80]) or \
                    MORE_AR.match(text[match.end():match.end() + 80])
                if more and number(more.group("n")):
                    count += number(more.group("n"))
            elif ARABIC_LETTER.search(match.group(0)):  # "جنديين اميركيين وبريطاني قتلوا": a second subject
                second = re.search(rf"\sو(?!احد)({lexicon_ar.NUM}|(?:{lexicon_ar._ONE})(?!\w))", text[match.end("n"):match.end()])
                if second and number(second.group(1)):
                    count += number(second.group(1))
            key = (match.start(), -(match.end() - match.start()), -count)
            if best is None or key < best:
                best = key
    return -best[2] if best else None


@functools.lru_cache(maxsize=1024)  # asked once per place a sentence names
def find_casualties(text: str) -> tuple[int | None, int | None]:
    """(killed, injured) as stated; 0 for what the text says did not happen, None when it is silent."""
    arabic = ARABIC_LETTER.search(text) is not None
    killed = _first_count(text, KILLED_AR if arabic else KILLED) if DEATH_WORDS.search(text) else None
    injured = _first_count(text, INJURED_AR if arabic else INJURED) if HARM_WORDS.search(text) else None
    if ZERO_BOTH.search(text):
        killed = 0 if killed is None else killed
        injured = 0 if injured is None else injured
    if killed is None and ZERO_KILLED.search(text):
        killed = 0
    if injured is None and ZERO_INJURED.search(text):
        injured = 0
    return killed, injured
