"""Stage 1: page cleaning. What a page carries besides the article (datelines, bylines, teasers of
other stories, photo captions, headline tickers, share buttons) names places, dates and attacks
that are not the report's news, so it goes before anything is read.

Each rule looks at the shape of a line, never at what a particular site prints:
- a dateline ("ERBIL, Kurdistan Region -", "Baghdad, Jan 8:", "15 Apr 2021; AGENCY:") says where
  and when the report was filed;
- a caption carries a photo credit ("(AP Photo/...)", "Getty Images", "Photo: ..."), or ends on a date and a
  credit in brackets ("... - 16 Aug 2022 (Coalition)");
- a teaser is a "Related ..." / "Read next:" line, or a list item written as a headline;
- a ticker is a long run of headlines with no sentence in it.
"""

from __future__ import annotations

import re

from geo.dates import _MONTH
from geo.extract import lexicon_ar
from geo.extract.language import ARABIC_LETTER, normalise_arabic

# an upper-case place, optionally a region or date after a comma, an agency in brackets, then a dash
DATELINE_UPPER = re.compile(r"^\s*(?P<place>[A-Z][A-Z .'’/-]{2,40}?)(?:,\s*[A-Z0-9][\w .,'’-]{1,40}?)?\s*"
                            r"(?:\([^)]{1,40}\))?\s*(?:[-–—:](?=\s)|\(\w)", re.M)
# a place in any case followed by a date, then a colon or dash: "Baghdad, Jan 8:"
DATELINE_DATED = re.compile(rf"^\s*[A-Z][\w'’ .-]{{2,30}},\s*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
                            rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH.replace('(?P<month>', '(?:')})(?:,?\s+\d{{4}})?\s*"
                            r"(?:\([^)]{1,40}\))?\s*[:–—-]\s*", re.M | re.I)
# a place in title case, then a long dash, opening the first lines: "Baghdad — A US drone strike ..."
DATELINE_DASH = re.compile(r"^\s*[A-Z][a-z’']+(?:[ -][A-Z][a-z’']+)?\s*(?:\([^()\n]{1,40}\)\s*)?[—–]\s+(?=[A-Z])", re.M)
# a date, then an agency or outlet: "15 Apr 2021; AGENCY:" or "REUTERS | 28.12.2019 - 09:25"
DATELINE_DATE_FIRST = re.compile(rf"^\s*\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\s*[;|,]\s*[A-Z][\w .]{{1,30}}:\s*", re.M | re.I)
BYLINE = re.compile(r"^\s*[A-Z][A-Za-z .]{1,30}\s*\|\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}.*$|"
                    r"^\s*(?:Published|Updated|Posted|Last updated|First published|Date)\b.{0,100}$|"
                    r"^\s*By\s+(?:[A-Z][\w.'’-]*\s*){1,5}(?:\|.{0,60})?$", re.M)

_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)(?:day)?|mon|tue|wed|thu|fri|sat|sun"
_MON = _MONTH.replace("(?P<month>", "(?:")  # the same months, without the named group
# a line that is only a date or a timestamp: "16 Feb 2021", "Monday, 28 September 2020 09:30 PM", "30. 12. 2019, 15:03"
DATE_ONLY = re.compile(rf"^\W*(?:(?:{_WEEKDAY})\W+)?(?:\d{{1,2}}\s+{_MON}\s+\d{{4}}|{_MON}\s+\d{{1,2}},?\s+\d{{4}}|"
                       rf"\d{{4}}-\d\d-\d\d|\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{4}}|{_MON}\s+\d{{1,2}}\s+\d{{4}})"
                       r"(?:[\sT,|-]*\d{1,2}[:.]\d\d(?::\d\d)?(?:\s*[AP]\.?M\.?)?(?:\s*[+-]\d{4}|\s*[A-Z]{2,4})?)?\W*$",
                       re.I)
CAPTION = re.compile(r"\((?:[^()]{0,60}/)?\s*(?:AP|AFP|Reuters|Getty|EPA|Anadolu)[^()]{0,40}(?:Photo|Images|FILE)"
                     r"[^()]{0,40}\)|\(AP Photo[^)]*\)|\bGetty Images\b|^Photo:|\bPhoto:\s*[A-Z]\w+\s*$|"
                     r"\((?:Photo|Image)\s+(?:via|by|courtesy)[^)]*\)|\bFILE PHOTO\b|"
                     r"\((?:Photos?|Pictures?|Images?)\s*(?::|credit:?)[^)]{2,60}\)|^\s*\[(?:Photo|Image|Video)\]", re.I | re.M)
# a caption that ends on the photo's date and its credit: "Rockets found near the base - 16 Aug 2022 (Coalition)",
# "جزء من الصواريخ التي استهدفت القاعدة- 16 من آب 2022 (التحالف الدولي)"
CAPTION_DATED = re.compile(r"[-–—]\s*[^\n.]{0,30}?(?:\d{4}|[٠-٩]{4})\s*\([^()\n]{2,40}\)\s*$")
TEASER = re.compile(r"^\s*(?:Related(?:\s+(?:Posts|Articles|News|Stories|Content))?|Read (?:Next|More|also)|"
                    r"Also read|See also|Recommended|More (?:from|on|stories)|Most (?:read|popular)|Trending)"
                    r"\b\s*:?", re.I)
TWEET_SIGNATURE = re.compile(r"(?:pic\.twitter\.com/\S+\s*)?[—–-]\s*[^()\n]{1,60}\(@\w{1,30}\)\s*"
                             rf"(?:{_MONTH}\s+\d{{1,2}},\s+\d{{4}})?", re.I)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or", "over",
                "the", "to", "with", "after", "amid", "near", "against", "its", "their", "is", "are", "says", "vs"}


def is_headline(line: str) -> bool:
    """A line written as a headline: no closing full stop, and its words capitalised title-style."""
    line = line.strip(" -•*\t")
    if not line or line[-1] in ".!?\"”'’" or len(line) > 220:
        return False
    if len([w for w in _WORD.findall(line) if w.lower() not in _SMALL_WORDS]) < 3:
        return False
    return _capitalised(line) >= 0.75


def is_ticker(paragraph: str) -> bool:
    """A long run of headlines with no sentence in it (a news ticker or a list of other stories)."""
    if re.search(r"[.!?؟](?:\s|$)", paragraph) or paragraph.count("،") >= 2:
        return False  # (a sentence, or Arabic clauses a headline list does not have, whatever ends it: "... 💥")
    return len(paragraph) >= 150 or (len(paragraph) >= 80 and _capitalised(paragraph) >= 0.75)


def _capitalised(line: str) -> float:
    words = [w for w in _WORD.findall(line) if w.lower() not in _SMALL_WORDS]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def strip_dateline(text: str) -> str:
    """Drop a dateline ("ERBIL, Kurdistan Region -", "Baghdad — ") from the first lines: it names where the
    report was filed, not where anything happened."""
    head, rest = text[:600], text[600:]
    for match in DATELINE_UPPER.finditer(head):
        if match.group("place").isupper() and match.start() < 400:
            return head[:match.start()] + head[match.end():].lstrip(" -–—") + rest
    match = DATELINE_DASH.search(head)
    if match and match.start() < 400:
        return head[:match.start()] + head[match.end():] + rest
    return text


ARABIC_FURNITURE = re.compile(f"(?:{lexicon_ar.TEASER})|(?:{lexicon_ar.CAPTION})|(?:{lexicon_ar.BYLINE})")
ARABIC_TIMESTAMP = re.compile(lexicon_ar.TIMESTAMP)
# a headline's dateline, the town the copy was filed from: "الحسكة..سوريا : مقتل ..."
ARABIC_DATELINE = re.compile(r"^\s*[\u0621-\u064A]{2,20}(?:\s[\u0621-\u064A]{2,20})?\s?\.\.\s?"
                             r"[\u0621-\u064A]{2,20}\s*:\s*")


def is_arabic_furniture(line: str) -> bool:
    """An Arabic teaser ("اقرأ أيضا"), photo caption or byline line."""
    return bool(ARABIC_LETTER.search(line)) and bool(ARABIC_FURNITURE.search(normalise_arabic(line)))


def clean_page(text: str) -> str:
    """The article's own text: furniture lines dropped, datelines and tweet signatures cut."""
    kept: list[str] = []
    paragraphs = re.split(r"\n\s*\n", text)
    last = len(paragraphs) - 1
    for p_index, paragraph in enumerate(paragraphs):
        lines = []
        for line in paragraph.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            if TEASER.match(stripped) or CAPTION.search(stripped) or CAPTION_DATED.search(stripped) or \
                    BYLINE.match(stripped) or \
                    DATE_ONLY.match(stripped) or is_arabic_furniture(stripped):
                continue
            line = ARABIC_DATELINE.sub("", ARABIC_TIMESTAMP.sub("", line))
            if stripped[:1] in "-•*" and is_headline(stripped):
                continue  # a list of other stories
            lines.append(line)
        paragraph = "\n".join(lines)
        if not paragraph.strip():
            continue
        if p_index < last and is_ticker(paragraph):
            continue
        paragraph = DATELINE_DATE_FIRST.sub("", paragraph)
        paragraph = DATELINE_DATED.sub("", paragraph, count=1)
        paragraph = TWEET_SIGNATURE.sub(" ", paragraph)
        kept.append(paragraph)
    return strip_dateline("\n\n".join(kept))
