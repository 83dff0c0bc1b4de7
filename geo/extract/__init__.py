"""Report text to candidate incidents, each with the sentences that support it.

Extraction is a pipeline of small stages, each a module that can be read and tested alone:

1. ``clean``: page furniture dropped (datelines, teasers of other stories, captions).
2. ``sentences``: the text as sentences, each knowing its paragraph.
3. ``mentions`` and ``places``: per sentence, the means of attack, acts, casualties, actors, and
   the places the gazetteer finds (reference points and group names set aside).
4. ``incidents``: sentences that name a means of attack and an act propose candidates; their
   neighbours add casualties, perpetrators and claims.
5. ``resolve``: the day each candidate happened (the report's reference day, local against
   Washington days, overnight spans, background told as background) and its place.
6. ``features``: candidates as GeoJSON features with a confidence, merged within the report.

The words each stage looks for live in ``lexicon``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from geo.dedup import merge_all
from geo.extract.candidates import Assembly
from geo.extract.clean import clean_page
from geo.extract.features import incident_id, one_source_per_report, to_feature
from geo.extract.incidents import Assembler, drop_vague_duplicates
from geo.extract.language import arabic_paragraphs, detect_language, normalise_arabic
from geo.extract.mentions import find_casualties, find_event_type, find_perpetrator
from geo.extract.resolve import (
    adopt_told_day,
    main_span,
    night_span,
    prefer_local_day,
    reference,
    stale_reference,
)
from geo.extract.scope import drop_headline_echoes, fold_other_accounts, in_scope_all, settle_means
from geo.extract.sentences import Sentence, split_sentences, unique_sentences
from geo.gazetteer import Gazetteer
from geo.report import Report

__all__ = ["Extraction", "Extractor", "Sentence", "find_casualties", "find_event_type", "find_perpetrator",
           "split_sentences"]


@dataclass
class Extraction:
    """What a report yielded: incidents as GeoJSON features, and what was assumed."""

    report: Report
    features: list[dict]
    reference_date: date | None
    reference_how: str
    messages: list[str] = field(default_factory=list)
    language: str = "en"  # "en" or "ar", detected from the text (language.detect_language)

    def summary(self) -> dict:
        return {"name": self.report.name, "title": self.report.title, "url": self.report.url,
                "published": self.report.published.isoformat() if self.report.published else None,
                "published_how": self.report.published_how, "published_certain": self.report.published_certain,
                "reference_date": self.reference_date.isoformat() if self.reference_date else None,
                "reference_how": self.reference_how, "language": self.language, "incidents": len(self.features),
                "messages": self.messages}


class Extractor:
    """Extracts incidents from reports with one gazetteer: runs the stages in order."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.assembler = Assembler(gazetteer)

    def ancestors(self, site_id: str) -> tuple[str, ...]:
        """The known sites that hold ``site_id``; what de-duplication needs to compare places."""
        return self.gazetteer.ancestors(site_id)

    def extract(self, report: Report) -> Extraction:
        """The incidents one report describes, merged within the report."""
        language = detect_language(report.text)
        if language == "ar":  # matched without diacritics; each line a paragraph (see language.py)
            report = replace(report, text=arabic_paragraphs(normalise_arabic(report.text)),
                             title=normalise_arabic(report.title) if report.title else report.title)
        ref, ref_how = reference(report)
        report = replace(report, text=clean_page(report.text))  # later stages read the article alone
        sentences = unique_sentences(split_sentences(report.text))
        ref, ref_how = stale_reference(sentences, ref, ref_how)
        lead = main_span(sentences, ref)
        candidates = Assembly()
        for sentence in sentences:
            candidates.extend(self.assembler.from_sentence(sentence, sentences, ref, lead, candidates, report))
        self.assembler.attribute(candidates, sentences)
        self.assembler.attribute_strikes(candidates, report.text)
        prefer_local_day(candidates, sentences, ref)
        adopt_told_day(candidates, self.ancestors)
        candidates = drop_vague_duplicates(candidates)
        candidates = in_scope_all(candidates, report.text)
        candidates = drop_headline_echoes(candidates, self.ancestors)
        for candidate in candidates:
            night_span(candidate)
        features = [to_feature(c, report) for c in candidates]
        features = merge_all(fold_other_accounts(features, self.ancestors), self.ancestors)
        for feature in features:
            settle_means(feature, report.text)
            feature["id"] = feature["properties"]["id"] = incident_id(feature)
            one_source_per_report(feature["properties"])
            for source in feature["properties"]["sources"]:
                source.setdefault("language", language)
        messages = [] if report.published else [f"{report.name}: {ref_how}"]
        return Extraction(report, features, ref, ref_how, messages, language)
