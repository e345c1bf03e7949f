"""The browsable docs: Swagger UI, served from the files of the `flask-swagger-ui` package.

flask-smorest renders the page at /api/v1/docs (OPENAPI_SWAGGER_UI_PATH); its scripts and
styles come from here, so that the page works offline and no request leaves the machine.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, send_from_directory

ASSETS_URL = "/api/v1/docs/assets/"
ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
# Swagger UI would otherwise send the document to an online validator.
SWAGGER_UI_CONFIG = {"validatorUrl": None, "deepLinking": True, "displayOperationId": True}

blp = Blueprint("docs", __name__)


@blp.get(ASSETS_URL + "<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(ASSETS, name, max_age=3600)
