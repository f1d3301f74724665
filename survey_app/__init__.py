"""The Co-production Hub Flask application."""
import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .web import config as hub_config
from .web.extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides what the environment gives (tests pass their own)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(hub_config.DEFAULTS)
    app.config.update(hub_config.from_environment(Path(app.instance_path),
                                                  secret_given=bool(config and config.get("SECRET_KEY"))))
    if config:
        app.config.update(config)
    hub_config.require_redis_package(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))

    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from .web import database, errors, formatting, i18n, security, symbols

    db.init_app(app)
    database.init_app(app)
    # Batch mode lets later migrations alter columns on SQLite, which has no ALTER COLUMN.
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    symbols.init_app(app)

    from .web.pages import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter  # before any route is added
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .auth import init_login
    from .door import bp as door_bp
    from .finance import bp as finance_bp
    from .invite import bp as invite_bp
    from .organise import bp as organise_bp
    from .participation import kiosk
    from .public import bp as public_bp

    init_login(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organise_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(door_bp)
    app.register_blueprint(invite_bp)
    app.register_blueprint(public_bp, url_prefix="/public")
    app.register_blueprint(finance_bp, url_prefix="/finance")
    kiosk.init_app(app)

    from .cli import register as register_cli

    register_cli(app)

    return app
