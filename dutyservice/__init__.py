"""dutyservice: records of Special Constables' duties, Independent Patrol Status, and the
quarterly NPoCC role-profile return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from .config import Settings
    from .db import Database
    from .signin.oidc import IdentityProvider


@dataclass
class AppState:
    settings: Settings
    db: Database
    #: The force's identity provider, where one is configured (DUTYSERVICE_OIDC_*).
    identity: IdentityProvider | None = None


def create_app(settings: Settings | None = None, *, http_api: bool = True) -> Flask:
    """The application factory: settings from the environment unless given.

    Without `http_api` the app has no routes: for commands that do not serve HTTP, which start
    in a third of the time.
    """
    # Imported here so that the pure rule modules can be imported without Flask or SQLAlchemy.
    from flask import Flask

    from . import logs
    from . import models as _every_model  # noqa: F401  (relationships span every table)
    from .config import Settings
    from .db import Database

    settings = settings or Settings.from_environment()
    logs.configure(settings.log_level)
    app = Flask(__name__, static_folder=None)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the nearest trusted proxies saw them; what a
        # client writes into X-Forwarded-* itself is believed only that far.
        proxied = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxied, x_proto=proxied)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    state = AppState(settings=settings, db=Database(settings.database_url))
    app.extensions["dutyservice"] = state
    if http_api:
        from .api import init_api
        from .web import init_web

        if settings.oidc_enabled:
            from .signin.oidc import IdentityProvider

            state.identity = IdentityProvider(settings)
        init_api(app)
        init_web(app)
    return app
