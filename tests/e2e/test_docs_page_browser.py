"""The docs page renders in a real browser that can reach nothing but the service: Swagger UI
comes from the service's own files, and the document's operations appear on the page."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_every_operation_offline_in_a_browser(
    server: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is needed for this test (Debian package `chromium`)")
        pytest.skip("chromium is not installed")
    page = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            # Every name resolves to nothing except the service's own address: offline.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",  # run the page's scripts to completion, then dump
            "--dump-dom",
            f"{server}/api/v1/docs",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    assert 'class="swagger-ui' in page, page[:2000]
    for shown in ("book_duty", "list_deployable", "grant_ips", "/api/v1/deployable"):
        assert shown in page, shown
