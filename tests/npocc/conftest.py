from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from dutyservice.config import Settings


@pytest.fixture
def settings(app: Flask, tmp_path: Path) -> Settings:
    """The app's settings with an export directory of this test's own and quick retries."""
    base: Settings = app.extensions["dutyservice"].settings
    return base.replace(
        export_dir=tmp_path / "exports",
        npocc_retry_backoff=0.01,
        npocc_retries=2,
        npocc_feed_timeout=1.0,
    )
