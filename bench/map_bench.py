"""How fast the map page is with many incidents in view, in headless Chromium (Debian's chromium).

    python bench/map_bench.py [--n 10000] [--runs 5]

Generates N incidents (bench/generate.py), serves them with gunicorn, and measures, as medians of
several runs:
  - page usable: from navigation until every incident of the filter is drawn (clustered) and the
    time filter works;
  - slider redraw: from moving the range until the histogram and dates are redrawn (the panel's
    own feedback), and until the layers are refetched from the API and drawn again.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webapp.browser import browser_page  # noqa: E402
from tests.webapp.live_server import running_server  # noqa: E402

MOVE = """() => { const t0 = performance.now(); const from = document.getElementById('im-from');
  const before = document.body.dataset.drawn;
  from.value = String(Number(from.value) + 30); from.dispatchEvent(new Event('input'));
  const panel = performance.now() - t0;
  return new Promise((resolve) => { const check = () => {
    if (document.body.dataset.drawn !== before) resolve([panel, performance.now() - t0]);
    else requestAnimationFrame(check); }; check(); }); }"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "incidents.geojson"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), str(source)], check=True,
                       stdout=subprocess.DEVNULL)
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with running_server(data, env={"INCIDENTMAP_TILES": "none"}) as base:
            loads, panels, layers, drawn = [], [], [], 0
            with browser_page(base) as page:
                page.goto(f"{base}/map")  # warm the server's index and the browser's cache
                page.wait_for_selector("body[data-drawn]", state="attached", timeout=120_000)
                for _ in range(args.runs):
                    page.goto(f"{base}/map?datetime=2023-10-01%2F2024-12-31")
                    page.wait_for_selector("body[data-drawn]", state="attached", timeout=120_000)
                    loads.append(page.evaluate("performance.now()"))
                    drawn = int(page.get_attribute("#im-count", "data-rendered"))
                    page.evaluate("document.getElementById('im-from').value = '0'")
                    for _ in range(3):
                        panel, layer = page.evaluate(MOVE)
                        panels.append(panel)
                        layers.append(layer)
                assert not page.console_errors, page.console_errors
    print(f"{args.n} incidents generated, {drawn} drawn in view (all of them)")
    print(f"page usable (all drawn, filter live): median {statistics.median(loads):.0f} ms over {len(loads)} loads")
    print(f"slider: panel redrawn in median {statistics.median(panels):.1f} ms; layers refetched and redrawn in "
          f"median {statistics.median(layers):.0f} ms over {len(layers)} moves")


if __name__ == "__main__":
    main()
