"""Extraction speed: reports per second on one core, large hostile reports, and gazetteer lookups.

    python bench/extract_bench.py [--reports 1000] [--words 600] [--sites 10000]

Also prints the median time to read one report at the text limit (500,000 characters) of three kinds:
one attack sentence repeated (the unauthenticated-stall case of issue 16), attack sentences that all
differ, and prose with no attack.

Reports are generated from a seeded mix of sentences written for this
benchmark (attacks at known sites, background, quotes, aggregates), about
600 words each, and the same mix in Arabic. Prints reports per second (median of 5 runs), how
many times longer an Arabic report takes, and the median
time of one gazetteer lookup with the shipped sites plus N synthetic ones.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.extract import Extractor  # noqa: E402
from geo.gazetteer import Gazetteer  # noqa: E402
from geo.model import Site  # noqa: E402
from geo.report import parse_report  # noqa: E402

PLACES = ["Ain al-Asad air base", "Harir air base", "the US embassy in Baghdad", "al-Tanf garrison",
          "the Conoco gas field", "Erbil airport", "Rmelan", "al-Shaddadi", "Tower 22", "Victory Base",
          "a checkpoint near Ramadi", "the outskirts of Fallujah", "Jurf al-Sakhar", "Albu Kamal"]
MEANS = ["rockets", "a one-way attack drone", "two drones", "mortar rounds", "a ballistic missile",
         "a roadside bomb"]
WHEN = ["on Friday", "late on Wednesday", "early Thursday", "yesterday", "last night", "on December 3",
        "on 20 January", "earlier this week"]
FILLER = [
    "Officials said an investigation was under way and that damage was being assessed.",
    "The government condemned the incident and promised to pursue those responsible.",
    "Analysts said the escalation reflected tensions that have grown across the region for months.",
    "Residents described hearing several loud explosions followed by sirens across the district.",
    "The statement added that air defences had been placed on high alert for the rest of the night.",
    "US forces have been attacked more than 80 times since mid-October, according to the Pentagon.",
    "The war in Gaza has raised fears of a wider conflict drawing in Israel and Iran-aligned groups.",
    "A spokesman declined to say how many personnel were stationed at the facility at the time.",
    "Diplomats in Washington said talks on the future of the coalition would continue next month.",
    "Security sources said the launch site was found abandoned a few kilometres away.",
]


# the same mix in Arabic, written for this benchmark
PLACES_AR = ["قاعدة عين الأسد الجوية", "قاعدة حرير", "السفارة الأمريكية في بغداد", "قاعدة التنف", "حقل كونيكو للغاز",
             "مطار أربيل الدولي", "رميلان", "الشدادي", "البرج 22", "قاعدة فكتوري", "حاجز قرب الرمادي",
             "أطراف الفلوجة", "جرف الصخر", "البوكمال"]
MEANS_AR = ["صواريخ كاتيوشا", "طائرة مسيرة مفخخة", "طائرتان مسيرتان", "قذائف هاون", "صاروخ باليستي", "عبوة ناسفة"]
WHEN_AR = ["يوم الجمعة", "في وقت متأخر من ليل الأربعاء", "فجر الخميس", "أمس", "الليلة الماضية", "في 3 كانون الأول",
           "في 20 يناير", "في وقت سابق هذا الأسبوع"]
FILLER_AR = [
    "وقال مسؤولون إن تحقيقا فتح في الحادث وإن حجم الأضرار قيد التقييم.",
    "ودانت الحكومة الهجوم وتعهدت بملاحقة المسؤولين عنه.",
    "ويرى محللون أن التصعيد يعكس توترا يتزايد في المنطقة منذ أشهر.",
    "وتحدث سكان عن سماع دوي عدة انفجارات تلتها صفارات الإنذار في أنحاء الحي.",
    "وأضاف البيان أن الدفاعات الجوية وضعت في حالة تأهب لبقية الليل.",
    "وتعرضت القوات الأمريكية لأكثر من 80 هجوما منذ منتصف تشرين الأول بحسب البنتاغون.",
    "ويثير الصراع مخاوف من حرب أوسع تجر إليها أطرافا إقليمية عدة.",
    "ورفض متحدث الإفصاح عن عدد الأفراد الذين كانوا في المنشأة وقت الهجوم.",
    "وقال دبلوماسيون إن المحادثات بشأن مستقبل التحالف ستستمر الشهر المقبل.",
    "وأفادت مصادر أمنية بأن منصة الإطلاق عثر عليها مهجورة على بعد كيلومترات.",
]


def _attack_en(rng: random.Random) -> str:
    return (f"{rng.choice(MEANS).capitalize()} struck {rng.choice(PLACES)} {rng.choice(WHEN)}, "
            f"{rng.choice(['causing no casualties', 'wounding two service members', 'officials said'])}.")


def _attack_ar(rng: random.Random) -> str:
    return (f"استهدفت {rng.choice(MEANS_AR)} {rng.choice(PLACES_AR)} {rng.choice(WHEN_AR)}، "
            f"{rng.choice(['دون وقوع إصابات', 'ما أدى إلى إصابة جنديين', 'بحسب مسؤولين'])}.")


def make_report(rng: random.Random, words: int, arabic: bool = False) -> str:
    """About ``words`` words: one sentence in four an attack, the rest filler (in Arabic with ``arabic``)."""
    attack, filler = (_attack_ar, FILLER_AR) if arabic else (_attack_en, FILLER)
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(attack(rng) if rng.random() < 0.25 else rng.choice(filler))
    return "outlet: Bench Wire\npublished: 2024-01-05\n\n" + " ".join(parts)


def synthetic_sites(n: int, rng: random.Random) -> list[Site]:
    syllables = ["al", "tal", "qasr", "bir", "jab", "ham", "dur", "zan", "kar", "mir", "sul", "rash", "nah", "wadi"]
    sites = []
    for i in range(n):
        name = " ".join(rng.choice(syllables).capitalize() + rng.choice(syllables) for _ in range(2)) + f" {i}"
        sites.append(Site.from_feature({
            "type": "Feature", "id": f"synthetic-{i}",
            "geometry": {"type": "Point", "coordinates": [rng.uniform(38, 48), rng.uniform(29, 37)]},
            "properties": {"name": name, "kind": "outpost", "aliases": [f"Outpost {i}"]}}))
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--sites", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(11)
    texts = [make_report(rng, args.words) for _ in range(args.reports)]
    gazetteer = Gazetteer.load()
    gazetteer.find_all("warm up GeoNames")
    extractor = Extractor(gazetteer)
    texts_ar = [make_report(rng, args.words, arabic=True) for _ in range(args.reports)]

    def rate(batch: list[str]) -> tuple[float, int]:
        started = time.perf_counter()
        found = sum(len(extractor.extract(parse_report(t, "bench.txt")).features) for t in batch)
        return len(batch) / (time.perf_counter() - started), found

    # English and Arabic runs alternate, so a busy spell of the machine slows both alike
    english_runs, arabic_runs, ratios = [], [], []
    for _ in range(5):
        english, incidents = rate(texts)
        arabic, incidents_ar = rate(texts_ar)
        english_runs.append(english)
        arabic_runs.append(arabic)
        ratios.append(english / arabic)
    print(f"extraction: {statistics.median(english_runs):.0f} reports/s (median of 5; {args.reports} reports of "
          f"~{args.words} words, one core), {incidents} incidents per run")
    print(f"extraction, Arabic: {statistics.median(arabic_runs):.0f} reports/s (median of 5; same size and mix), "
          f"{incidents_ar} incidents per run; an Arabic report takes {statistics.median(ratios):.2f}x an English "
          "one (median of the 5 paired runs)")

    from geo.report import MAX_REPORT_CHARS

    big_reports = {
        "one attack sentence repeated": "A rocket hit Ain al-Asad air base on Friday, causing no casualties. ",
        "attack sentences that all differ": None,
        "prose with no attack": "Officials met in the capital on Tuesday to discuss the budget and the elections. ",
    }
    for name, sentence in big_reports.items():
        if sentence is None:
            text = " ".join(f"{rng.choice(MEANS).capitalize()} struck {rng.choice(PLACES)} {rng.choice(WHEN)}, "
                            f"report number {i}." for i in range(MAX_REPORT_CHARS // 70))[:MAX_REPORT_CHARS]
        else:
            text = (sentence * (MAX_REPORT_CHARS // len(sentence)))[:MAX_REPORT_CHARS]
        report = parse_report(text, "big.txt", published="2024-01-05")
        times = []
        for _ in range(3):
            started = time.perf_counter()
            extractor.extract(report)
            times.append(time.perf_counter() - started)
        print(f"a {len(text):,}-character report, {name}: {statistics.median(times):.2f} s (median of 3)")

    shipped = list(gazetteer.sites.values())
    big = Gazetteer(shipped + synthetic_sites(args.sites, rng), gazetteer.admin, geonames=True)
    mentions = ["drones struck Outpost 4711 overnight", "near Ain al-Asad in Anbar", "rockets hit Harir",
                "in Ramadi", "at Tower 22 in Jordan"]
    times = []
    for i in range(20):
        for mention in mentions:
            text = f"{mention}, report {i}"  # every text new, so no cached answer is timed
            started = time.perf_counter()
            big.resolve(text)
            times.append((time.perf_counter() - started) * 1000)
    print(f"gazetteer with {len(big.sites)} known sites: median lookup {statistics.median(times):.3f} ms")


if __name__ == "__main__":
    main()
