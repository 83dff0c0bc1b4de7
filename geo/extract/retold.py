"""Attacks a sentence tells again or in passing: an earlier attack on the same place told in a clause
of its own ("after two rockets fell close to the mission on May 4", "a similar attack on Wednesday",
"earlier on Wednesday the base came under attack"), the attack already told filed in a series ("it was
the second salvo this week"), and one told first without its place, which the next sentence places."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from geo.dates import DateSpan
from geo.extract import lexicon_ar
from geo.extract.candidates import Candidate
from geo.extract.lexicon import ACT
from geo.extract.mentions import find_casualties, find_event_type
from geo.extract.parts import event_parts
from geo.extract.resolve import event_dates
from geo.extract.sentences import Sentence
from geo.gazetteer import Place

# an attack told as like the report's: "a similar attack killed a contractor in December"
SIMILAR = re.compile(r"\b(?:a|an|the) similar (?:attack|strike|barrage|assault|fusillade|device|bomb|blast|explosion|"
                     r"incident)\b|" + lexicon_ar.SIMILAR, re.I)


# the attack already told, filed in a series: "It was the second salvo this week", "Sunday's attack was the third"
SERIES_AGAIN = re.compile(r"\b(?:it|this|that|the (?:attack|strike|salvo|barrage)|\w+['’]s (?:attack|strike|salvo|"
                          r"barrage))\s+(?:was|is|marked|marks)\s+(?:the\s+)?(?:second|third|fourth|fifth|sixth|latest)\b|"
                          r"\b(?:was|is|marked|marks)\s+the\s+(?:second|third|fourth|fifth|sixth|latest)\s+(?:such\s+)?"
                          r"(?:attack|strike|incident|salvo|barrage)\b", re.I)


# a place told again by its kind alone: "near the mission", "on the base"
THE_SITE = re.compile(r"\b(?:near|at|on|inside|into|outside|around|close to|by)\s+the\s+(?:mission|compound|base|embassy|"
                      r"consulate|site|facility|camp|airport|field)\b|\bthe (?:base|camp|compound|embassy|airport)\b"
                      r"(?=\s+(?:was|came|had been|were)\b)|" + lexicon_ar.THE_SITE, re.I)
# where a clause that dates an earlier attack ends: "، منذ هجوم ..." / ", since ..."
SINCE = re.compile(r",\s*since\b|[،,]?\s*منذ(?!\w)")


def attack_told_in(clause: str, event_type: str, place: Place, span: DateSpan, sentence: Sentence) -> Candidate:
    """A candidate told by one clause of a sentence, dated by that clause, with the toll it gives."""
    candidate = Candidate(event_type, place, span, [sentence], date_from_sentence=True, date_told_in=clause)
    candidate.killed, candidate.injured = find_casualties(clause)
    return candidate


def earlier_attack_there(text: str, places: list[Place], spans: list[DateSpan], told: Candidate,
                         sentence: Sentence) -> list[Candidate]:
    """The attack a part of the sentence turns to, at the one place the sentence names, when that part
    names no place but the kind of it and tells its own means and day: "Friday's salvo was the embassy's
    second in ten days, after two rockets fell close to the mission on May 4"."""
    found = []
    cuts = event_parts(text, places)
    for part_start, part_end in zip(cuts, cuts[1:], strict=False):
        part = text[part_start:part_end]
        if any(part_start <= p.start < part_end for p in places) or not THE_SITE.search(part):
            continue
        means = find_event_type(part)
        own = [s for s in spans if part_start <= s.start < part_end and s.known and re.search(r"\d", s.text)]
        if means is None or len(own) != 1 or (told.span and told.span.date_from == own[0].date_from):
            continue
        found.append(attack_told_in(part, means, told.place, own[0], sentence))
    return found


# "..., hours after the shelling of X": an attack told as following another within hours
HOURS_AFTER = re.compile(r"^\W*(?:(?:just|only|mere|a few|several)\s+)?hours\s+after\b|"
                         r"^\W*[وف]?(?:بعد|عقب)\s+ساعات(?!\w)", re.I)


def unplaced_parts(text: str, places: list[Place], sentence: Sentence) -> list[tuple[str, Sentence, str, bool]]:
    """The parts of a sentence that tell an attack and name no place for it, each with whether the
    part goes on to say it came hours after another attack."""
    found = []
    cuts = event_parts(text, places)
    for part_start, part_end in zip(cuts, cuts[1:], strict=False):
        part = text[part_start:part_end]
        part_type = find_event_type(part)
        if part_type is not None and not any(part_start <= p.start < part_end for p in places):
            found.append((part_type, sentence, part, bool(HOURS_AFTER.match(text[part_end:part_end + 40]))))
    return found


def told_before(candidate: Candidate, unplaced: list[tuple[str, Sentence, str, bool]], sentence: Sentence) -> None:
    """The same attack told just before without its place ("... after a drone attack killed an American.
    The ministry said the drone hit a base near Hasakah."): that telling joins the candidate, with what it
    told of the toll; told as "hours after" an attack of the same day, it may have come after midnight."""
    for event_type, before, part, hours_after in reversed(unplaced):
        if sentence.index - before.index > 2:
            break
        if event_type != candidate.event_type or before is sentence:
            continue
        candidate.sentences.append(Sentence(part.strip(), before.index, before.paragraph))  # that part alone
        killed, injured = find_casualties(part)
        candidate.killed = candidate.killed if candidate.killed is not None else killed
        candidate.injured = candidate.injured if candidate.injured is not None else injured
        span = candidate.span
        if hours_after and span is not None and span.known and span.precision == "day" and not candidate.time_local:
            candidate.span = replace(span, date_to=span.date_to + timedelta(days=1), precision="days")
        return


def earlier_attack_at_site(text: str, ref: date | None, target: Candidate | None,
                           sentence: Sentence) -> Candidate | None:
    """An earlier attack on the site the report is about, told by the site's kind alone and a day of its
    own before the attack just told: "Earlier on Wednesday, three soldiers were killed when the base came
    under attack." (the report being about Saturday's attack on that base)."""
    if target is None or target.span is None or not target.span.known or not THE_SITE.search(text):
        return None
    since = SINCE.search(text)
    own_text = text[:since.start()] if since else text  # "... since a rocket attack in late December"
    days = [s for s in event_dates(own_text, ref) if s.known and s.precision == "day" and not s.said]
    if len(days) != 1 or days[0].date_to >= target.span.date_from or not ACT.search(own_text):
        return None
    return attack_told_in(own_text, find_event_type(own_text) or "other", target.place, days[0], sentence)


def similar_attack_there(text: str, places: list[Place], spans: list[DateSpan], told: Candidate,
                         sentence: Sentence) -> list[Candidate]:
    """An earlier attack on the place a sentence names, told in a clause of its own as "a similar
    attack" with its own day: "Rockets hit the base again on Saturday, where two soldiers died in a
    similar attack on Wednesday"."""
    similar = SIMILAR.search(text)
    if similar is None or told.span is None or not told.span.known:
        return []
    start = max(text.rfind(",", 0, similar.start()), text.rfind("،", 0, similar.start())) + 1
    ends = [i for i in (text.find(",", similar.end()), text.find("،", similar.end())) if i >= 0]
    end = min(ends, default=len(text))
    if any(start <= p.start < end for p in places):
        return []  # "a similar attack on a base in the north": a place of its own
    days = [s for s in spans if start <= s.start < end and s.known and s.precision == "day"]
    if len(days) != 1 or days[0].date_to >= told.span.date_from:
        return []
    return [attack_told_in(text[start:end], told.event_type, told.place, days[0], sentence)]
