"""The language of a report, and Arabic text made ready for matching.

Detection is deliberately small: the share of Arabic letters among all letters. A report whose letters are
at least 30 % Arabic is Arabic (an Arabic page quoting an English tweet stays Arabic; an English page quoting
an Arabic name stays English). Only English and Arabic are told apart, as DESIGN.md asks.

Normalisation before matching, in two steps:

- ``normalise_arabic`` removes what never changes a word (diacritics such as shadda and fatha, the superscript
  alef, tatweel). It is applied once to an Arabic report's whole text, so every later position refers to the
  same string and the evidence quoted is the report's words as written, less those marks.
- ``fold_arabic`` merges letter variants outlets write interchangeably (alef with hamza or madda, alef
  maqsura and yaa, taa marbuta and haa). It is for comparing words; the lexicon's patterns accept every
  variant themselves (see ``lexicon_ar.w``), so text is never folded in place.

``pyarabic`` does the same with ``strip_tashkeel`` / ``strip_tatweel``; its last release is of 2022 and the
two operations are one translation table, so they are written here and tested.
"""

from __future__ import annotations

import re

ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u0671-\u06D3\u06FA-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# harakat, tanwin, shadda, sukun, Quranic marks, superscript alef, tatweel
_MARKS = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640])
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
ARABIC_SHARE = 0.3


def detect_language(text: str, sample: int = 4000) -> str:
    """``"ar"`` when at least 30 % of the letters in the first ``sample`` characters are Arabic, else ``"en"``.

    >>> detect_language("سقطت ثلاثة صواريخ على قاعدة عين الأسد")
    'ar'
    """
    head = text[:sample]
    arabic = len(ARABIC_LETTER.findall(head))
    latin = len(LATIN_LETTER.findall(head))
    if arabic == 0:
        return "en"
    return "ar" if arabic / (arabic + latin) >= ARABIC_SHARE else "en"


def normalise_arabic(text: str) -> str:
    """The text without diacritics and tatweel: "مسيّرة" and "مُسَيَّرة" become "مسيرة"."""
    return text.translate(_MARKS)


def fold_arabic(text: str) -> str:
    """Letter variants merged for comparison: "أربيل" and "اربيل", "مسيرة" and "مسيره" meet."""
    return normalise_arabic(text).translate(_FOLD)


def arabic_paragraphs(text: str) -> str:
    """Every line its own paragraph: Arabic outlets end paragraphs with a single line break, and a line
    that runs on into the next would join a caption or a teaser to the news."""
    return re.sub(r"\n(?=[^\n])", "\n\n", text)
