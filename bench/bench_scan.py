"""A 20-page scan of the fixture site (tests/scan_site.py) with the three scenarios, against a
baseline measured in the same run: the same page loads in one plain Playwright context (no
proxy, no observation, no banner), so the ratio is what the scanner adds to browsing itself.

    .venv/bin/python bench/bench_scan.py [--pages 20] [--page-timeout 20]

The fixture's pages include /slow, which never finishes loading: the scan waits for it once
(the page timeout) and skips it in the later scenarios; so does the baseline.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.networks import parse_networks, parse_resolver_rules  # noqa: E402
from scanner.addresses import Resolver  # noqa: E402
from scanner.engine import SCENARIOS, ScanOptions, scan  # noqa: E402
from tests.scan_site import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def baseline(urls, page_timeout):
    """Seconds to load every page once per scenario in a plain context."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.localhost 127.0.0.1"],
        )
        never_loaded = set()
        for _ in SCENARIOS:
            context = browser.new_context()
            page = context.new_page()
            for url in urls:
                if url in never_loaded:
                    continue  # as the scan does: waited for once
                try:
                    page.goto(url, wait_until="load", timeout=page_timeout * 1000)
                    page.wait_for_load_state("networkidle", timeout=3000)
                except Exception:  # /slow: as long as the scan waits for it
                    never_loaded.add(url)
                    page.close()
                    page = context.new_page()
            context.close()
        browser.close()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-timeout", type=int, default=20)
    args = parser.parse_args()
    server, port = serve()
    resolver = Resolver(parse_resolver_rules("MAP *.localhost 127.0.0.1"), parse_networks("127.0.0.1/32"))
    options = ScanOptions(
        url=f"http://site.localhost:{port}/",
        max_pages=args.pages,
        page_timeout=args.page_timeout,
        chromium=CHROMIUM,
        resolver=resolver,
    )
    started = time.monotonic()
    result = scan(options)
    scanned = time.monotonic() - started
    urls = [page["url"] for page in result["pages"]]
    plain = baseline(urls, args.page_timeout)
    server.shutdown()
    loads = len(urls) * len(SCENARIOS)
    ok = sum(1 for page in result["pages"] if page["status"] == "ok")
    print(
        f"fixture site: {len(urls)} pages ({ok} loaded), {len(SCENARIOS)} scenarios, page timeout {args.page_timeout} s"
    )
    print(f"scan:     {scanned:6.1f} s  ({len(result['items'])} items, {len(result['hosts'])} third-party hosts)")
    print(f"baseline: {plain:6.1f} s  (the same {loads} page loads in a plain Playwright context)")
    print(f"ratio scan / baseline: {scanned / plain:.2f}")
    print("rerun: .venv/bin/python bench/bench_scan.py")


if __name__ == "__main__":
    main()
