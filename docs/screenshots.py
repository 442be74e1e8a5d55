"""Take screenshots of the main pages as each role sees them (headless Chromium via Playwright).

Usage: start the app (`make run`), then
    .venv/bin/pip install playwright && .venv/bin/python docs/screenshots.py [BASE_URL] [OUT_DIR]
Uses Debian's /usr/bin/chromium (no browser download). The pages are in Chinese: install a Chinese
font first (Debian/Ubuntu: `sudo apt-get install fonts-wqy-zenhei`), without which every Chinese
character renders as a box; the script warns when fontconfig knows no Chinese font.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/screenshots")
USERS = {
    "staff": "demo-staff-2011",
    "agent": "demo-agent-2011",
    "manager": "demo-manager-2011",
    "admin": "demo-admin-2011",
}
PAGES = {
    "staff": ["/", "/staff/", "/customers/", "/customers/data-quality/"],
    "agent": ["/"],
    "manager": ["/", "/scores/", "/scores/CSS/2010/", "/scores/SSI/2011/", "/scores/SSI/2011/target/"],
    "admin": ["/", "/system/", "/staff/1/", "/scores/import/"],
}
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def warn_without_a_chinese_font() -> None:
    if shutil.which("fc-list") is None:
        return
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    if not fonts:
        print(
            "No Chinese font is installed: every Chinese character will be a box. "
            "Install one first, e.g. sudo apt-get install fonts-wqy-zenhei",
            file=sys.stderr,
        )


def main() -> None:
    warn_without_a_chinese_font()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 820})
        page.goto(f"{BASE}/login/")
        page.screenshot(path=OUT / "login.png")
        for user, password in USERS.items():
            context = browser.new_context(viewport={"width": 1366, "height": 820})
            page = context.new_page()
            page.goto(f"{BASE}/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", password)
            page.click("button[type=submit].btn-primary")
            for path in PAGES.get(user, ["/"]):
                response = page.goto(f"{BASE}{path}")
                name = f"{user}{path.replace('/', '_').rstrip('_') or '_home'}.png"
                page.screenshot(path=OUT / name, full_page=True)
                print(response.status if response else "-", user, path, "->", OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
