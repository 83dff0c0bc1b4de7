"""Stage 4: assembling incidents: the sentences that propose an attack become candidates, and the
sentences around them add casualties, perpetrators, claims and local times."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from geo.dates import DateSpan
from geo.extract import lexicon_ar
from geo.extract.candidates import Assembly, Candidate
from geo.extract.casualties import N, number
from geo.extract.dates_ar import find_dates, find_time  # both languages
from geo.extract.language import ARABIC_LETTER
from geo.extract.lexicon import (
    ACT,
    AGGREGATE,
    ATTRIBUTED,
    BEFORE_ANCHOR,
    CLAIMED,
    GENERIC_PERPETRATORS,
    INDIRECT,
    NEGATED_CLAIM,
    OUTSIDE,
    PAST_ACT,
    REFERENCE,
    THREAT,
    TURKISH_ACTOR,
    US_ACTOR,
    WASHINGTON_SIDE,
)
from geo.extract.mentions import (
    find_casualties,
    find_event_type,
    find_perpetrator,
    mask_groups,
    nearest_means,
    target_for,
)
from geo.extract.parts import CLAUSE_BREAK, EVENT_CUE, place_scopes
from geo.extract.places import incident_places, km_between
from geo.extract.resolve import (
    adopt_local_day,
    before_anchor_span,
    eastern_to_local,
    event_dates,
    nearest_span,
    recent_span,
)
from geo.extract.retold import (
    SERIES_AGAIN,
    SIMILAR,
    SINCE,
    earlier_attack_at_site,
    earlier_attack_there,
    similar_attack_there,
    told_before,
    unplaced_parts,
)
from geo.extract.sentences import Sentence
from geo.gazetteer import Gazetteer, Place
from geo.report import Report


class Assembler:
    """Turns a report's sentences into candidates, with one gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def ancestors(self, site_id: str) -> tuple[str, ...]:
        return self.gazetteer.ancestors(site_id)

    def incident_places(self, text: str, context: str) -> list[Place]:
        """The places a sentence puts attacks on; each sentence is asked about several times."""
        cache = self.__dict__.setdefault("_places", {})
        key = (text, context)
        found = cache.get(key)  # one read: another thread may clear the cache between two
        if found is None:
            if len(cache) > 4096:
                cache.clear()
            found = cache[key] = tuple(incident_places(self.gazetteer, text, context))
        return list(found)

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
                    if candidate.perpetrator in (None, *GENERIC_PERPETRATORS) or \
                            (candidate.perpetrator or "") in name:
                        candidate.perpetrator = name
                    candidate.attribution = "claimed"

    def attribute(self, candidates: list[Candidate], sentences: list[Sentence]) -> None:
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
                            GENERIC_PERPETRATORS])
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
    def attribute_strikes(candidates: list[Candidate], text: str) -> None:
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

    def from_sentence(self, sentence: Sentence, sentences: list[Sentence], ref: date | None,
                       lead_span: DateSpan | None, earlier: Assembly, report: Report) -> list[Candidate]:
        text = cut_background_tail(sentence.text)
        singled = SINGLED_OUT.search(text)
        tally_type = None
        if singled and AGGREGATE.search(text[:singled.start()]):
            tally_type = find_event_type(text[:singled.start()])
            text = text[singled.end():]  # "a dozen attacks, including a December 27 attack that killed ..."
        event_type = find_event_type(text) or tally_type
        if event_type in (None, "other") and earlier and SIMILAR.search(text):
            event_type = earlier[0].event_type  # "a similar attack": like the one the report is about
        # a sentence that names no means goes on about the attack the sentence before it spoke of
        previous = earlier.last()
        if event_type is None and ACT.search(text) and not THREAT.search(text):
            # the attack at a place named again ("the attack on Erbil, which hit the base"), else the one
            # the sentence before spoke of ("The facilities struck were at Al-Qaim and Akashat.")
            named = {p.site_id for p in self.incident_places(text, report.text) if p.site_id}
            same_place = [earlier.by_site[site] for site in named if site in earlier.by_site]
            if same_place:
                event_type = max(same_place, key=lambda c: c.sentences[-1].index).event_type
            elif previous and PAST_ACT.search(text) and sentence.index - previous.sentences[-1].index <= 2:
                event_type = previous.event_type
            elif STRUCK.search(text):
                # the towns an attack told only by region ("strikes in western Iraq") was carried out on:
                # "A base in al-Qaim was one of the targeted locations"
                vague = [c for c in earlier.recent(sentence.index, 6) if c.place.kind in ("country", "governorate")]
                named_here = [p for p in self.incident_places(text, report.text) if p.kind not in ("country", "governorate")]
                if vague and named_here and any(p.country_code == vague[-1].place.country_code for p in named_here):
                    event_type = vague[-1].event_type
                elif named_here and earlier.unplaced and sentence.index - earlier.unplaced[1] <= 6:
                    event_type = earlier.unplaced[0]
                elif named_here and previous and previous.event_type == "airstrike" and \
                        sentence.index - previous.sentences[-1].index <= 6 and re.search(r"\bstrikes?\b", text, re.I):
                    event_type = "airstrike"  # more places of the strikes the report is about
        if event_type is None and previous is not None and (sentence.index - previous.sentences[-1].index <= 2
                                                           or THE_ATTACK.search(text)):
            named = [earlier.by_site[p.site_id] for p in self.incident_places(text, report.text)
                     if p.site_id in earlier.by_site]
            if sentence.index - previous.sentences[-1].index > 2:
                previous = earlier[0]  # "the attack", told far from any other: the one the report is about
            previous = named[-1] if named else previous  # "There were no casualties in Erbil."
            killed, injured = find_casualties(text)
            if (killed is not None and previous.killed is None) or (injured is not None and previous.injured is None):
                # "No one was hurt in the attack." goes on about the attack told just before
                previous.killed = previous.killed if previous.killed is not None else killed
                previous.injured = previous.injured if previous.injured is not None else injured
                previous.sentences.append(sentence)
                return []
        if event_type is None or not ACT.search(text):
            return []
        if event_type == "drone_attack" and SMUGGLING.search(text):
            return []  # "a drone carrying crystal methamphetamine": smugglers, not an attack
        since = SINCE.search(text)
        if AGGREGATE.search(text[:since.start()] if since else text):
            return []  # (not "... the deadliest since a rocket attack that set off a series of attacks")
        if THREAT.search(text) and not PAST_ACT.search(text):
            return []
        places = self.incident_places(text, report.text)
        same = SAME_PLACE.search(text)
        if not places and same and earlier.last() is not None:
            # "Two rockets fell by the same compound on May 4": the place of the attack told before
            places = [replace(earlier.last().place, start=same.start(), end=same.end(), matched=same.group(0))]
        if not places:
            if OUTSIDE.search(text):
                return []
            earlier.unplaced_parts.extend(unplaced_parts(text, [], sentence))
            recent = earlier.recent(sentence.index, 3)
            same_kind = [c for c in recent if c.event_type == event_type]
            target = (same_kind or recent or [None])[-1]
            again = earlier_attack_at_site(text, ref, target, sentence)
            if again is not None:
                return [again]
            if target is not None and not same_kind and RESPONSE.match(text) and event_type != target.event_type:
                target = None  # "In response, the US launched airstrikes ..., killing five": not the rockets' toll
            if target is not None:
                self._enrich(target, sentence, event_type)
                earlier.touch(target, self.ancestors(target.place.site_id or ""))
                adopt_local_day(target, text, ref)
            else:
                earlier.unplaced = (event_type, sentence.index)
            return []
        if OUTSIDE.search(text) and all(p.kind == "country" for p in places):
            return []
        masked = mask_groups(text)
        if previous and sentence.index - previous.sentences[-1].index <= 2 and all(
                REFERENCE.search(masked[max(0, p.start - 45):p.start]) and km_between(p, previous.place) <= 100
                for p in places):  # (a place 300 km off is no landmark for the attack told before)
            self._enrich(previous, sentence, event_type)  # "... travelling towards Baiji when it came under fire"
            earlier.touch(previous, self.ancestors(previous.place.site_id or ""))
            return []
        told_again = THE_ATTACK.search(text)
        if told_again and all(p.site_id in earlier.by_site for p in places) and \
                all(told_again.start() <= m.start() < told_again.end() for m in ACT.finditer(text)):
            # "Flights from Erbil airport stopped after the rocket attack": the attack told before, named
            # again in passing (its means worded otherwise), not another one
            for place in places:
                target = earlier.by_site[place.site_id]
                self._enrich(target, sentence, event_type)
                earlier.touch(target, self.ancestors(target.place.site_id or ""))
            return []
        # a date told of a statement ("officials said on Monday") is when it was said, not when it happened
        spans = event_dates(text, ref)
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
        earlier.unplaced_parts.extend(unplaced_parts(text, places, sentence))
        scopes = place_scopes(text, places)
        narrative = background_date(sentences, sentence, ref, lead_span) or background_window(sentences, sentence,
                                                                                              lead_span)
        cut = EVENT_CUE.search(text)
        told_again: Candidate | None = None
        for n, place in enumerate(places):
            start, end, part_start, part_end = scopes[n]
            scope, part = text[start:end], text[part_start:part_end]
            again = earlier.by_site.get(place.site_id or "") if SERIES_AGAIN.search(part) else None
            if again is not None and not any(part_start <= s.start < part_end and s.known and s.precision == "day"
                                             and again.span and s.date_from != again.span.date_from for s in spans):
                # "It was the second salvo this week on the embassy": the attack already told, filed in a series
                self._enrich(again, sentence, event_type, text=part)
                told_again = again
                continue
            before = text[max(part_start, place.start - 100):max(place.start, part_start)]
            local_type = nearest_means(before) or find_event_type(scope)
            if local_type is None and end < part_end and CLAUSE_BREAK.match(text, end) and ACT.search(scope) \
                    and ARABIC_LETTER.search(scope):
                local_type = "other"  # "أن هجوما استهدف قاعدة في X، فيما أعلنت ... ضربات": X's means untold
            local_type = local_type or find_event_type(part) or (
                "other" if cut is not None and part_start > 0 else event_type)  # another event, means untold
            own_spans = [s for s in spans if part_start <= s.start < part_end] if cut else spans
            span = nearest_span(own_spans, place)
            from_sentence = span is not None
            # in the part that turns to another event: after "... after X" (the later part), or a fronted
            # "Following X, ..." (the first part)
            in_cue = cut is None or (cut.start() <= 2 and part_start == 0) or (cut.start() > 2 and part_start > 0)
            if before_anchor and in_cue and place.start > before_anchor.start() and \
                    not (span and span.start > before_anchor.start()):
                anchor = earlier[0].span if earlier and earlier[0].span else lead_span
                span = before_anchor_span(anchor, before_anchor)
                from_sentence = True
            told_in = text
            relative = DAY_FROM_PREVIOUS.match(text)
            if span is None and relative and sentence.index > 0:
                anchor = [s for s in find_dates(sentences[sentence.index - 1].text, ref) if s.known] or \
                    ([earlier.last().span] if earlier.last() and earlier.last().span else [])
                if anchor and anchor[-1].known:
                    span = anchor[-1].shift(-1 if relative.group("back") else 0 if relative.group("same") else 1)
                    told_in, from_sentence = sentences[sentence.index - 1].text, True
            night_before = NIGHT_BEFORE.search(text, part_start, place.start)
            if span is None and night_before and lead_span is not None and lead_span.known:
                # "..., after a night in which two drones struck near Erbil airport": the night before the day
                span = DateSpan(lead_span.date_from - timedelta(days=1), lead_span.date_from, "days", night_before.group(0))
                told_in, from_sentence = text, True
            if span is None and narrative is not None:
                span, told_in, from_sentence = narrative, sentences[sentence.index - 1].text, True
            told_there = earlier.by_site.get(place.site_id or "")
            if span is None and local_type == "other" and told_there is not None:
                # "..., while no one claimed the shelling of Taji": the attack there told before, named again
                self._enrich(told_there, sentence, told_there.event_type, text=scope)
                continue
            if span is None:
                span = lead_span or (recent_span(ref) if ref else None)
                told_in = lead_span.text if lead_span else ""
            candidate = Candidate(local_type, place, span, [sentence], date_from_sentence=from_sentence,
                                  date_told_in=told_in)
            self._enrich(candidate, sentence, event_type, first=True, text=scope)
            if candidate.killed is None and candidate.injured is None and out and \
                    re.match(rf"^\W*(?:and\s+)?{N}\s+others\b", scope, re.I):
                # "..., killing six, and three others near Albu Kamal": the same verb, counted again
                count = number(re.match(rf"^\W*(?:and\s+)?({N})", scope, re.I).group(1))
                if out[-1].killed is not None:
                    candidate.killed = count
                elif out[-1].injured is not None:
                    candidate.injured = count
            us_time = eastern_to_local(text, candidate.span, bool(WASHINGTON_SIDE.search(report.text[:3000])))
            if us_time is not None:
                candidate.time_local, candidate.span = us_time
            for killed, injured in following:
                if candidate.killed is None and killed is not None:
                    candidate.killed = killed
                if candidate.injured is None and injured is not None:
                    candidate.injured = injured
            out.append(candidate)
        for candidate in out:
            told_before(candidate, earlier.unplaced_parts, sentence)
        anchor = out[0] if out else told_again
        if anchor is not None and len({c.place.site_id for c in out} | {anchor.place.site_id}) == 1 and \
                anchor.place.site_id:
            if cut is not None:
                out.extend(earlier_attack_there(text, places, spans, anchor, sentence))
            out.extend(similar_attack_there(text, places, spans, anchor, sentence))
        for candidate in out:
            earlier.touch(candidate, self.ancestors(candidate.place.site_id or ""))
        return out

    def _enrich(self, candidate: Candidate, sentence: Sentence, event_type: str, first: bool = False,
                text: str | None = None) -> None:
        """Add what ``sentence`` (or the part of it about this place, ``text``) tells of the candidate."""
        text = sentence.text if text is None else text
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
        candidate.target = candidate.target or target_for(candidate.place, candidate.event_type, text)


SAME_PLACE = re.compile(r"\bthe same (?:compound|base|site|facility|camp|airport|embassy|field|outpost|building)\b",
                        re.I)
# one attack singled out of many: "... a dozen attacks, including a December 27 attack that ..."
SINGLED_OUT = re.compile(r",?\s*\b(?:including|among them|among which)\s+(?=(?:a|an|the|one)\b)", re.I)
# a sentence that speaks of the attack already told, however far back: "No one was hurt in the attack."
THE_ATTACK = re.compile(r"\b(?:in|by|from) the (?:attack|strike|incident|blast|explosion|bombardment)\b|"
                        r"\bas a result\b|" + lexicon_ar.THE_ATTACK, re.I)
# the same in Arabic: "وفي مساء اليوم ذاته", "وبعد ساعات", "وفي اليوم التالي"
_AR_SAME_DAY = (r"[وف]?(?:في\s+)?(?:(?:صباح|مساء|ظهر|عصر|فجر|ليل)\s+)?(?:اليوم\s+(?:ذاته|نفسه)|ذات\s+اليوم|"
                r"نفس\s+اليوم)|[وف]?بعد\s+(?:ساعات|ساعتين)")
_AR_NEXT_DAY = r"[وف]?(?:في\s+)?(?:(?:صباح|مساء|ظهر|فجر|ليل)\s+)?(?:اليوم|النهار)\s+التالي|[وف]?في\s+اليوم\s+الذي\s+تلاه"
# a day told from the one before: "A day prior, rockets struck ...", "The next day, a drone ..."
DAY_FROM_PREVIOUS = re.compile(r"^\W*(?:(?P<back>a day (?:prior|before|earlier)|one day (?:prior|before|earlier)|"
                               r"the day before|the previous day|the night before)|(?P<on>a day later|the next day|"
                               r"the following day|a day after|" + _AR_NEXT_DAY + r")|(?P<same>(?:a few |several |two |three |"
                               r"some )?hours (?:later|afterwards)|later (?:that|the same) day|(?:earlier|later) that day|"
                               r"minutes later|" + _AR_SAME_DAY + r"))(?!\w)", re.I)
# an act that puts an attack on a place without naming its means
STRUCK = re.compile(r"\b(?:targeted|struck|hit|bombed|pounded|shelled|strikes? (?:on|in|at|near|against)|"
                    r"(?:attacks?|assaults?) (?:on|against)|"
                    r"(?:were|was) carried out)\b", re.I)
# the appositive that files an attack with others: ", the latest in a series of rocket attacks on ..."
BACKGROUND_TAIL = re.compile(r",?\s*(?:in |marking |and is )?(?:the )?(?:latest|newest|last) (?:in|of) (?:a|an|the)\b|"
                             r",?\s*amid (?:a|an) (?:series|wave|spate|string|surge) of\b", re.I)


def background_date(sentences: list[Sentence], sentence: Sentence, ref: date | None,
                    lead_span: DateSpan | None) -> DateSpan | None:
    """The date a story's background has reached: a sentence that dates nothing, right after one dated
    before the report's own event ("... this past January with the killing of X. Iran retaliated by
    firing missiles at Y."), happened then too."""
    if sentence.index == 0 or lead_span is None or not lead_span.known:
        return None
    before = sentences[sentence.index - 1].text
    if find_event_type(before) is None:
        return None  # the sentence before told no attack ("a protest on Friday")
    # "attacked 165 times since October 17": a date that opens a tally dates no one attack
    prior = [s for s in find_dates(before, ref) if s.known and not s.text.lower().startswith("since")
             and not re.search(r"\b(?:since|from|until|between)\s*$", before[max(0, s.start - 8):s.start], re.I)]
    if prior and prior[-1].date_to < lead_span.date_from:
        return prior[-1]
    return None


# a sentence going on from an attack told before it: "Less than a week later, ...", "Days later, ..."
LATER = re.compile(r"^\W*(?:(?:less|more) than |about |nearly |some |just |only )?(?:a|one|two|three|four|five|six|"
                   r"a few|several|\d+)?\s*(?:days?|weeks?|months?)\s+later\b", re.I)
# the stretch a report's background is told over: "over the last month", "in recent weeks"
WINDOW = re.compile(r"\b(?:over|in|during|throughout) (?:the )?(?:(?P<last>last|past) (?P<n>two|three|few|\d+ )?"
                    r"|recent )(?P<unit>weeks?|months?)\b", re.I)


def background_window(sentences: list[Sentence], sentence: Sentence, lead_span: DateSpan | None) -> DateSpan | None:
    """The days an undated background attack lies in: one told "less than a week later" than, or as
    "similar" to, an attack the report files "over the last month" before its own lies in that month,
    before the report's event."""
    if lead_span is None or not lead_span.known or not (LATER.match(sentence.text) or SIMILAR.search(sentence.text)):
        return None
    for before in reversed(sentences[max(0, sentence.index - 3):sentence.index + 1]):
        window = WINDOW.search(before.text)
        if window is None:
            continue
        count = (window.group("n") or "").strip().lower()
        n = int(count) if count.isdigit() else {"two": 2, "three": 3, "few": 3}.get(count) or \
            (1 if window.group("last") else 3)  # "over the last month": one; "in recent weeks": a few
        days = n * (7 if window.group("unit").lower().startswith("week") else 30)
        last = lead_span.date_from - timedelta(days=1)
        return DateSpan(last - timedelta(days=days - 1), last, "days", window.group(0))
    return None


def cut_background_tail(text: str) -> str:
    """The sentence without an appositive that only files the attack among others."""
    match = BACKGROUND_TAIL.search(text)
    return text[:match.start()] + "." if match and match.start() > 20 else text


# what a smuggler's drone carries
SMUGGLING = re.compile(r"\b(?:smuggl\w+|narcotics|drugs|methamphetamine|captagon|hashish|cannabis)\b|"
                       r"(?:تهريب|مخدرات|المخدرات|كبتاغون|الكبتاغون|حشيش)", re.I)
# the night before the day the report tells: "..., after a night in which drones struck X"
NIGHT_BEFORE = re.compile(r"\bafter a night (?:in which|when|of)\b|" + lexicon_ar.NIGHT_BEFORE, re.I)
# a sentence that opens on the answer to what was told before: "In response, ...", "وردا على ذلك، ..."
RESPONSE = re.compile(r"^\W*(?:(?:and|but)\s+)?(?:in (?:response|retaliation|reprisal)|in return)\b|"
                      r"^\W*[وف]?(?:ردا|رداً|رد|انتقاما|انتقاماً)\s+على(?!\w)", re.I)


def drop_vague_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """A country- or governorate-level mention of an attack the report also places precisely is
    the same attack: it goes, and what it told (time, who did it, and the toll when only one place
    is named) goes to the precise ones."""
    precise = [c for c in candidates if c.place.kind not in ("country", "governorate")]
    kept = []
    for candidate in candidates:
        vague = candidate.place.kind in ("country", "governorate")
        same = [p for p in precise if vague and
                p.place.country_code == candidate.place.country_code and
                (candidate.place.kind == "country" or p.place.admin1 == candidate.place.admin1) and
                (p.event_type == candidate.event_type or {p.event_type, candidate.event_type} <= set(INDIRECT)
                 or candidate.event_type == "other")]  # "the shelling that hit Erbil province": means untold
        if not same:
            kept.append(candidate)
            continue
        for p in same:
            if p.time_local is None and candidate.time_local and candidate.span and p.span and \
                    candidate.span.known and p.span.known and candidate.span.date_from <= p.span.date_to and \
                    p.span.date_from <= candidate.span.date_to:
                p.span = candidate.span  # the day told with a clock time (and its zone) is the better one
            p.time_local = p.time_local or candidate.time_local
            if p.perpetrator is None and candidate.perpetrator:
                p.perpetrator, p.attribution = candidate.perpetrator, candidate.attribution
        if len(same) == 1:
            same[0].killed = same[0].killed if same[0].killed is not None else candidate.killed
            same[0].injured = same[0].injured if same[0].injured is not None else candidate.injured
    return kept