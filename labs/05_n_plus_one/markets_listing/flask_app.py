"""`GET /markets` in Flask (task 4): an app factory, a blueprint, one session per request."""

from __future__ import annotations

from flask import Blueprint, Flask, Response
from sqlalchemy.orm import Session, sessionmaker

from markets_listing.errors import add_flask_error_handlers

SESSION_FACTORY = "markets_listing.session_factory"  # key in app.extensions

bp = Blueprint("markets", __name__)


@bp.get("/markets")
def list_markets_view() -> Response:
    """The listing as `{"markets": [...]}`, built by `list_markets` (task 3)."""
    raise NotImplementedError(
        "TODO(task 4): answer the listing from list_markets(session), with a session from "
        "current_app.extensions[SESSION_FACTORY] — see README task 4"
    )


def create_app(session_factory: sessionmaker[Session]) -> Flask:
    app = Flask(__name__)
    app.extensions[SESSION_FACTORY] = session_factory
    add_flask_error_handlers(app)  # 404, 405 and 500 in the envelope (given)
    app.register_blueprint(bp)
    return app
