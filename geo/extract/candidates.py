"""Candidates: incidents in the making from one report, and the assembly that keeps them in the order
they were told, with what the sentences that follow need to find them again."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.dates import DateSpan
from geo.extract.sentences import Sentence
from geo.gazetteer import Place


@dataclass
class Candidate:
    """An incident in the making, from one report."""

    event_type: str
    place: Place
    span: DateSpan | None
    sentences: list[Sentence] = field(default_factory=list)
    time_local: str | None = None
    killed: int | None = None
    injured: int | None = None
    perpetrator: str | None = None
    attribution: str = "unknown"
    target: str | None = None
    date_from_sentence: bool = True
    date_told_in: str = ""  # the sentence the date was read from



class Assembly(list):
    """The candidates of one report so far, with what follow-on sentences need found without a scan:
    the order they were last spoken of, and the latest one at each site (and the sites holding it)."""

    def __init__(self) -> None:
        super().__init__()
        self.touched: list[Candidate] = []
        self.by_site: dict[str, Candidate] = {}
        self.unplaced: tuple[str, int] | None = None  # (type, sentence) of the last attack told with no place
        # each part of a sentence that told an attack with no place: (type, sentence, part, hours after another)
        self.unplaced_parts: list[tuple[str, Sentence, str, bool]] = []

    def touch(self, candidate: Candidate, ancestors: tuple[str, ...] = ()) -> None:
        self.touched.append(candidate)
        if candidate.place.site_id:
            for key in (candidate.place.site_id, *ancestors):
                self.by_site[key] = candidate

    def last(self) -> Candidate | None:
        return self.touched[-1] if self.touched else None

    def recent(self, index: int, window: int) -> list[Candidate]:
        """Candidates spoken of in the last ``window`` sentences, the latest last."""
        out: list[Candidate] = []
        for candidate in reversed(self.touched):
            if index - candidate.sentences[-1].index > window:
                break
            if candidate not in out:
                out.append(candidate)
        return out[::-1]
