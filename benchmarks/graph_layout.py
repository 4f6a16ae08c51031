#!/usr/bin/env python3
"""Laying out the dependency graph in Chromium: dagre (cytoscape-dagre, the layout of pictures
up to 150 services) against the server-side layers of larger ones (portal/graphlayers.py),
on the random catalog shape of tests/browser/test_graph.py (service i calls 7i+3 mod N, every
even one calls the next: about 1.5 N edges, long ones, and a large cycle).

Prints, for each size, dagre's time in the browser (skipped past --dagre-max services, where
it takes tens of seconds) and the time of the layers in Python. The page's own figure for
500 services (layers placed by the preset layout, elements rebuilt, fitted) is measured by
``pytest -s tests/browser/test_graph.py -k 500``, which prints it.

    .venv/bin/python benchmarks/graph_layout.py [--sizes 100,150,300,500,1500] [--dagre-max 300]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.graphlayers import layers  # noqa: E402  (after the path is set)

VENDOR = ROOT / "static" / "vendor"
PAGE = """<!doctype html><html><body><div id="c" style="width:1200px;height:800px"></div>
<script src="{cytoscape}"></script><script src="{dagre}"></script>
<script>
window.dagreMs = function (n, edges) {{
  var els = [];
  for (var i = 0; i < n; i++) els.push({{data: {{id: "s" + i, label: "bulk-svc-" + i}}}});
  edges.forEach(function (e) {{ els.push({{data: {{id: "e" + e[0] + "-" + e[1], source: "s" + e[0], target: "s" + e[1]}}}}); }});
  var cy = cytoscape({{container: document.getElementById("c"), elements: els, style: [{{selector: "node",
    style: {{label: "data(label)", "text-valign": "bottom", width: 20, height: 20, "font-size": 11}}}}]}});
  var started = performance.now();
  cy.layout({{name: "dagre", nodeDimensionsIncludeLabels: true, nodeSep: 24, rankSep: 56, fit: false,
    animate: false}}).run();
  return performance.now() - started;
}};
</script></body></html>"""


def catalog(n: int) -> list[tuple[int, int]]:
    edges = {(i, (i * 7 + 3) % n) for i in range(n)} | {(i, (i + 1) % n) for i in range(0, n, 2)}
    return sorted((a, b) for a, b in edges if a != b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,150,300,500,1500")
    parser.add_argument("--dagre-max", type=int, default=300)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "layout.html"
        page_file.write_text(
            PAGE.format(
                cytoscape=(VENDOR / "cytoscape-3.34.4.min.js").as_uri(),
                dagre=(VENDOR / "cytoscape-dagre-4.0.1.min.js").as_uri(),
            )
        )
        chromium = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page()
            tab.goto(page_file.as_uri())
            print("services  edges  dagre in Chromium  layers in Python")
            for n in (int(size) for size in args.sizes.split(",")):
                edges = catalog(n)
                dagre = "skipped"
                if n <= args.dagre_max:
                    dagre = f"{tab.evaluate('([n, e]) => window.dagreMs(n, e)', [n, edges]):.0f} ms"
                started = time.perf_counter()
                layers(list(range(n)), edges)
                python = (time.perf_counter() - started) * 1000
                print(f"{n:8}  {len(edges):5}  {dagre:>17}  {python:13.0f} ms")
            browser.close()


if __name__ == "__main__":
    main()
