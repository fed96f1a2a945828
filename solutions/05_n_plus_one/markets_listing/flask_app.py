"""`GET /markets` in Flask (task 4): an app factory, a blueprint, one session per request."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.orm import Session, sessionmaker

from markets_listing.errors import add_flask_error_handlers
from markets_listing.listing import list_markets
from markets_listing.schemas import MarketPage

SESSION_FACTORY = "markets_listing.session_factory"  # key in app.extensions

bp = Blueprint("markets", __name__)


@bp.get("/markets")
def list_markets_view() -> Response:
    """The listing as `{"markets": [...]}`, built by `list_markets` (task 3)."""
    session_factory: sessionmaker[Session] = current_app.extensions[SESSION_FACTORY]
    with session_factory() as session:
        page = MarketPage(markets=list_markets(session))
    return jsonify(page.model_dump(mode="json"))


def create_app(session_factory: sessionmaker[Session]) -> Flask:
    app = Flask(__name__)
    app.extensions[SESSION_FACTORY] = session_factory
    add_flask_error_handlers(app)  # 404, 405 and 500 in the envelope (given)
    app.register_blueprint(bp)
    return app
