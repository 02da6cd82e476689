"""Take the documentation's screenshots from a running development environment (`invoke start`).

Usage: python development/screenshots.py [--base http://127.0.0.1:8080] (writes docs/images/*.png).
"""

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
PAGES = {
    "inventory-administrators.png": "/plugins/meraki-users/administrators/",
    "inventory-audit-2fa-off.png": "/plugins/meraki-users/administrators/?two_factor_auth_enabled=False",
    "inventory-organizations.png": "/plugins/meraki-users/organizations/",
    "inventory-networks.png": "/plugins/meraki-users/networks/",
    "inventory-saml-roles.png": "/plugins/meraki-users/saml-roles/",
    "inventory-login-security-not-compliant.png": "/plugins/meraki-users/organizations/?login_security_compliant=False",
    "policy-grants.png": "/plugins/meraki-users/access-grants/",
    "policy-findings.png": "/plugins/meraki-users/access-findings/",
    "policy-person.png": "/plugins/meraki-users/people/hank@globex.example/",
}


def main() -> None:
    """Log in as admin and save one screenshot per page."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{args.base}/login/")
        page.fill("input[name=username]", args.username)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, path in PAGES.items():
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(IMAGES / name), full_page=True)
        page.goto(f"{args.base}/plugins/meraki-users/administrators/?email=alice@acme.example")
        page.click("table a >> text=alice@acme.example")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(IMAGES / "inventory-administrator-detail.png"), full_page=True)
        page.goto(f"{args.base}/plugins/meraki-users/organizations/?organization_id=100002")
        page.click("table a >> text=Globex")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(IMAGES / "inventory-organization-saml-roles.png"), full_page=True)
        page.goto(f"{args.base}/extras/jobs/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(IMAGES / "jobs-list.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
