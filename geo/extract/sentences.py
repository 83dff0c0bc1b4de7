"""Stage 2: a report's text as sentences, each knowing its paragraph.

Tolerant of abbreviations (U.S., Dec.) and bullet lists; runs with no full stop are cut so that the
work done per sentence stays bounded whatever the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a sentence ends before a capital or a digit, or (Arabic has no capitals) before an Arabic letter
_SENTENCE_END = re.compile(r"(?<=[.!?؟])[\"'”’)»]*\s+(?=[\"'“‘(«]*[A-Z0-9\u0621-\u064A])|\n\s*\n|\n(?=\s*[-•*]\s)|"
                           r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z]{2})|"  # "near Kirkuk.The US ...": a space left out
                           r"(?<=[\u0621-\u064A\"”»][.!؟])(?=[وف]?[\u0621-\u064A]{3})")  # the same in Arabic


_ABBREVIATIONS = re.compile(r"\b(U\.S|U\.N|Dec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Mr|Mrs|Ms|Dr|Gen|Lt|Col|"
                            r"Maj|Capt|Sgt|Rep|Sen|St|No|a\.m|p\.m|approx)\.$", re.I)


@dataclass
class Sentence:
    text: str
    index: int
    paragraph: int


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

def unique_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Each sentence once, numbered anew: a sentence told again (a page's summary repeated in its body, a
    caption printed twice, a pasted copy) adds nothing, and reading it again would only cost time. The
    last telling is kept: in a page the body comes after its summary."""
    last = {sentence.text: sentence.index for sentence in sentences}
    out: list[Sentence] = []
    for sentence in sentences:
        if last[sentence.text] == sentence.index:
            out.append(Sentence(sentence.text, len(out), sentence.paragraph))
    return out
