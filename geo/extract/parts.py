"""The parts of a sentence: where it turns from one event to another ("... after a drone attack on X"),
and the part of it that speaks of each place it names."""

from __future__ import annotations

import re

from geo.extract import lexicon_ar
from geo.extract.language import ARABIC_LETTER
from geo.extract.mentions import find_casualties, find_event_type
from geo.gazetteer import Place

# a clause that turns to another event: "after a drone attack on ...", "in retaliation for a strike ..."
EVENT_CUE = re.compile(r"\b(?:(?:(?:\w+\s+)?(?:days?|hours?|weeks?)\s+)?after|following|follows?|followed|in the wake of|"
                       r"like those (?:of|on)|referring to|in reference to|(?:in |as )?(?:retaliation|response|revenge|reprisal)s? "
                       r"(?:for|to))\s+(?:[\w'’-]+\s+){0,6}?(?:attacks?|strikes?|air ?strikes?|killing|death|deaths|"
                       r"barrage|bombing|raids?|assassination)\b|"
                       # "..., after two rockets fell close to the mission on May 4": a clause telling its own
                       r"\bafter\s+(?:[\w'’-]+\s+){0,3}?(?:rockets?|mortars?|missiles?|drones?|shells?)\s+"
                       r"(?:had\s+|were\s+)?(?:landed|hit|struck|fell|slammed|exploded|crashed|targeted)\b|"
                       + lexicon_ar.EVENT_CUE, re.I)

# where the part of a sentence about one place ends and the next begins: ", and two others were killed at Y"
CLAUSE_BREAK = re.compile(r",\s*(?:and|while|whereas)\s+|;\s*|" + lexicon_ar.CLAUSE_BREAK, re.I)


def event_parts(text: str, places: list[Place]) -> list[int]:
    """Where a sentence turns to another event: the sorted offsets that cut it into parts ("... after a
    drone attack on X"; a fronted "Following an attack on X, ..." ends at its comma)."""
    cuts = {0, len(text)}
    for match in EVENT_CUE.finditer(text):
        head = text[:match.start()]
        if match.start() > 2 and not any(0 <= p.start < match.start() for p in places) and \
                find_event_type(head) is None and find_casualties(head) != (None, None):
            continue  # "Two soldiers are dead after rockets hit X": the same attack, told by its toll first
        cuts.add(match.start())
        if match.start() <= 2:  # fronted: the turn ends at the comma that closes it
            comma = text.find(", ", match.end())
            if comma > 0:
                cuts.add(comma + 1)
    return sorted(cuts)


def place_scopes(text: str, places: list[Place]) -> list[tuple[int, int, int, int]]:
    """For each place, the (start, end) of the part of the sentence that speaks of it and the (start, end)
    of the larger part it lies in: the sentence is cut where it turns to another event ("... after a
    drone attack on X", see ``event_parts``), then between places at a clause break."""
    cuts = event_parts(text, places)
    scopes = []
    for part_start, part_end in zip(cuts, cuts[1:], strict=False):
        inside = [p for p in places if part_start <= max(p.start, 0) < part_end]  # a generic site has no start
        bounds = [part_start]
        for a, b in zip(inside, inside[1:], strict=False):
            gap = CLAUSE_BREAK.search(text, max(a.end, 0), max(b.start, 0))
            bounds.append(gap.start() if gap else max(a.end, 0))
        last_end = part_end
        if inside and ARABIC_LETTER.search(text):  # after the last place, a clause telling its own event
            gap = CLAUSE_BREAK.search(text, max(inside[-1].end, 0), part_end)
            if gap and find_event_type(text[gap.end():part_end]) is not None:
                last_end = gap.start()
        bounds.append(last_end)
        scopes.extend((a, b, part_start, part_end) for a, b in zip(bounds, bounds[1:len(inside) + 1], strict=False))
    return scopes
