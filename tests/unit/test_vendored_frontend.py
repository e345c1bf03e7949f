"""The vendored GOV.UK Frontend is what its manifest says, with the service's own look, and the
Jinja macros target its major version."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "dutyservice" / "web" / "static"
MANIFEST = json.loads((STATIC / "govuk" / "manifest.json").read_text())
# govuk-frontend-jinja's major version -> the GOV.UK Frontend major it is a port of.
MACROS_FOR = {"4": "6", "3": "5", "2": "4"}


def test_every_vendored_file_has_the_checksum_its_manifest_records() -> None:
    assert MANIFEST["package"] == "govuk-frontend"
    assert MANIFEST["integrity"].startswith("sha512-")
    for name, digest in MANIFEST["sha256"].items():
        assert hashlib.sha256((STATIC / "govuk" / name).read_bytes()).hexdigest() == digest, name


def test_the_jinja_macros_port_the_vendored_major_version() -> None:
    macros_major = version("govuk-frontend-jinja").split(".")[0]
    assert MACROS_FOR[macros_major] == MANIFEST["version"].split(".")[0]


def test_the_stylesheet_has_no_gov_uk_font_or_crown_and_fetches_nothing() -> None:
    css = (STATIC / "govuk" / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "crest" not in css
    assert "url(" not in css.replace("url(data:", "")
