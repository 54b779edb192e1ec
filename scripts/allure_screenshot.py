"""The picture of an Allure report in docs/reports.md, made again from a real run:

    npm install allure-commandline        # Allure's command line (needs Java 17)
    .venv/bin/python scripts/allure_screenshot.py --allure node_modules/.bin/allure

It runs features/cart.feature with pytest and --alluredir, builds the report with
`allure generate`, serves it on a free loopback port (the report reads its data over HTTP)
and has headless Chromium (apt-get install -y chromium) take the page of one scenario.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "img" / "allure-scenario.png"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
]  # fmt: skip


def _scenario_page(report: Path, name: str) -> str:
    """The report's fragment that opens the scenario called ``name``: #suites/<its group>/<it>."""
    nodes = [json.loads((report / "data" / "suites.json").read_text("utf-8"))]
    while nodes:
        node = nodes.pop()
        if node.get("name") == name and "parentUid" in node:
            return f"#suites/{node['parentUid']}/{node['uid']}/"
        nodes += node.get("children", [])
    raise SystemExit(f"no scenario {name!r} in the report")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--allure", default="allure", help="Allure's command line (default: allure on PATH)")
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results, report = Path(folder) / "results", Path(folder) / "report"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "features/cart.feature", "--alluredir", str(results)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        subprocess.run([args.allure, "generate", str(results), "-o", str(report), "--clean"], check=True)
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(report))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_port}/{_scenario_page(report, 'a signed-in user fills the cart')}"
            PICTURE.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [args.chromium, *CHROMIUM_FLAGS, "--window-size=1280,900", "--virtual-time-budget=8000",
                 f"--screenshot={PICTURE}", url],
                check=True, capture_output=True,
            )  # fmt: skip
        finally:
            server.shutdown()
    print(f"wrote {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
