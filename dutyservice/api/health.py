"""Liveness and readiness for the process supervisor and load balancer."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from ..lifecycle import shutting_down
from .common import database
from .problems import problem

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> Response:
    if shutting_down():
        return problem(
            503, "Service Unavailable", "this server is shutting down", headers={"Retry-After": "5"}
        )
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return problem(
            503,
            "Service Unavailable",
            "the database is not answering",
            headers={"Retry-After": "5"},
        )
    return jsonify(status="ready")
