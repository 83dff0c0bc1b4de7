from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.ingest import ingest_features
from geo.report import parse_report

FIRST = ("title: Rockets target Ain al-Asad\noutlet: Wire One\nurl: https://one.example/a\npublished: 2024-01-21\n\n"
         "Several rockets struck Ain al-Asad air base in western Iraq late on Saturday, wounding four US personnel, "
         "officials said.")
SECOND = ("title: Mortars on Al Asad\noutlet: Wire Two\nurl: https://two.example/b\npublished: 2024-01-21\n\n"
          "Mortar rounds landed inside Al Asad airbase on Saturday night and seven American troops were hurt, "
          "according to a security source.")
OTHER_NIGHT = ("outlet: Wire One\nurl: https://one.example/c\npublished: 2024-01-24\n\n"
               "A fresh rocket attack hit Ain al-Asad on Tuesday; no casualties were reported.")


def proposals(extractor, *texts):
    return [f for i, t in enumerate(texts) for f in extractor.extract(parse_report(t, f"r{i}.txt")).features]


def test_two_reports_of_one_attack_merge_and_reingest_changes_nothing(store):
    extractor = Extractor(Gazetteer.load(geonames=False))
    before = store.query("incidents", __import__("geo.query", fromlist=["Query"]).Query()).number_matched
    first = ingest_features(store, proposals(extractor, FIRST), extractor.ancestors)
    assert len(first.new) == 1
    second = ingest_features(store, proposals(extractor, SECOND), extractor.ancestors)
    assert second.merged == first.new
    stored = store.get("incidents", first.new[0])["properties"]
    assert stored["date_from"] == "2024-01-20"
    assert {s["outlet"] for s in stored["sources"]} == {"Wire One", "Wire Two"}
    assert stored["disagreements"]["injured"] == [4, 7] and stored["injured"] == 7
    assert "mortar_attack" in stored["disagreements"]["event_type"]
    again = ingest_features(store, proposals(extractor, FIRST, SECOND), extractor.ancestors)
    assert again.new == [] and again.merged == [] and len(again.unchanged) == 1
    third = ingest_features(store, proposals(extractor, OTHER_NIGHT), extractor.ancestors)
    assert len(third.new) == 1
    from geo.query import Query

    assert store.query("incidents", Query()).number_matched == before + 2
