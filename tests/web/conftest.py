"""The pages need a session key; on PostgreSQL there is no SQLite file to keep one beside."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.secret_key = app.secret_key or "a key for the page tests only"
    return app.test_client()
