"""Extraction scored on the real, hand-labelled development set (``../shared/devset``), by its own scorer.

The set is not part of the project: on a user's clone it is absent and these tests skip, saying so.
The floors are issue 11's targets for every English part (recall 0.95, precision 0.92, 95 % within
5 km, exact dates 0.92, types 0.92, death tolls 0.9), which today's extractor meets, and for the Arabic
parts issue 12's (0.9) where met, else today's figures; so a change that makes real-text extraction
worse fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT.parent / "shared" / "devset"

# part: {figure: floor}
FLOORS = {
    "en-2019-2020": {"recall": 0.95, "precision": 0.92, "within_5km": 0.95, "date_exact": 0.92,
                     "event_type_ok": 0.95, "killed_ok": 0.9},
    "en-2021-2023": {"recall": 0.95, "precision": 0.92, "within_5km": 0.95, "date_exact": 0.92,
                     "event_type_ok": 0.92, "killed_ok": 0.9},
    "overall (English)": {"recall": 0.95, "precision": 0.92, "within_5km": 0.95, "date_exact": 0.92,
                          "event_type_ok": 0.95, "killed_ok": 0.9},
    # issue 12's targets (0.9) where the Arabic part meets them, today's figures where it does not yet
    "ar-2019-2023": {"recall": 0.95, "precision": 0.9, "within_5km": 0.95, "date_exact": 0.9,
                     "event_type_ok": 0.95},
    "ar2-2019-2023": {"recall": 0.9, "precision": 0.76, "date_exact": 0.55, "event_type_ok": 0.8},
}
MAX_FALSE_POSITIVES_ON_NEGATIVES = 0


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    if not (DEVSET / "score.py").is_file():
        pytest.skip(f"the development set is not here ({DEVSET} is absent, as on a user's clone): not scored")
    spec = importlib.util.spec_from_file_location("eval_real", ROOT / "bench" / "eval_real.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate(DEVSET)


@pytest.mark.parametrize("part", list(FLOORS))
def test_parts_stay_above_their_floors(rows, part):
    row = rows[part]
    below = {name: f"{row[name]:.3f} < {floor}" for name, floor in FLOORS[part].items()
             if row[name] is None or row[name] < floor}
    assert not below, f"{part}: {below}\n" + "\n".join(row["lines"])


def test_pages_with_no_incident_in_scope_propose_almost_nothing(rows):
    row = rows["negatives-2019-2023"]
    assert row["false_positives"] <= MAX_FALSE_POSITIVES_ON_NEGATIVES, "\n".join(row["lines"])


# multi-outlet events stored as one incident carrying every outlet: all of them where issues 11 and 12 ask
# for it (None), today's count on the second Arabic part, which no issue sets a target for
MERGED_FLOORS = {"en-2019-2020": None, "en-2021-2023": None, "ar-2019-2023": None, "ar2-2019-2023": 4}


@pytest.fixture(scope="module")
def eval_real():
    if not (DEVSET / "score.py").is_file():
        pytest.skip(f"the development set is not here ({DEVSET} is absent, as on a user's clone): not scored")
    spec = importlib.util.spec_from_file_location("eval_real_dedup", ROOT / "bench" / "eval_real.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("part", list(MERGED_FLOORS))
def test_events_told_by_several_outlets_merge(eval_real, part):
    [(name, row)] = eval_real.dedup(DEVSET / part).items()
    floor = MERGED_FLOORS[part]
    assert row["multi_source_fully_merged"] >= (row["multi_source_events"] if floor is None else floor), row
