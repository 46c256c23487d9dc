"""Building the Telegram application: the one place where settings meet handlers."""

from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import Engine
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.update_order import PerChatUpdateProcessor
from digests.sources import Sources
from digests.worker import DigestWorker
from handlers.delivery.courier import Courier
from handlers.delivery.limits import TelegramLimits
from handlers.registry import register_handlers, start_up, wind_down
from handlers.services import Services
from storage.database.engine import make_engine
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.places.geocoding import GeocoderConfig, Locator
from storage.setup import open_database
from storage.tables import Category

log = logging.getLogger(__name__)
LOCK_WAIT_ON_LOOP_S = 0.05


def prepare_database(
    settings: Settings, engine: Engine | None = None
) -> tuple[Engine, list[Category]]:
    """Open the database, create what is missing and load the categories from their file.

    SQLite's wait for a lock blocks the thread that waits, and the bot's database calls run
    on its event loop: the bot waits a moment only, and handlers.services waits the rest
    without holding everyone else up."""
    url = settings.resolved_database_url
    engine = engine or make_engine(url, lock_wait_s=LOCK_WAIT_ON_LOOP_S)
    return open_database(url, settings.categories_file, engine)


def build_services(settings: Settings, engine: Engine, categories: list[Category]) -> Services:
    geocoder = None
    if settings.geocoder == "nominatim":
        geocoder = GeocoderConfig(
            domain=settings.geocoder_domain,
            scheme=settings.geocoder_scheme,
            user_agent=settings.geocoder_user_agent,
            country_codes=settings.geocoder_country_codes,
            min_delay_s=settings.geocoder_min_delay_s,
            timeout_s=settings.geocoder_timeout_s,
        )
    locator = Locator(
        engine=engine,
        gazetteer=Gazetteer.from_csv(settings.gazetteer_file),
        bbox=settings.bbox,
        geocoder=geocoder,
        name_radius_m=settings.place_name_radius_m,
    )
    return Services(
        areas=Areas.from_geojson(settings.areas_file) if settings.areas_file else None,
        engine=engine,
        locator=locator,
        tz=settings.tz,
        language=settings.language,
        photo_dir=settings.data_dir / "photos",
        categories=categories,
    )


# Settings a lägesbild's worker process never needs, kept out of its environment.
SECRET_VARIABLES = ("TELEGRAM_BOT_TOKEN", "ESTBOT_WEBHOOK_SECRET_TOKEN")


def worker_environment() -> dict[str, str]:
    """This process's environment without its secrets (the token may also be in .env,
    which the worker does not read)."""
    return {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}


def worker_name(settings: Settings) -> str:
    """Who this process is among the workers sharing the database: the same after a
    restart, so that a restarted worker takes its delivery lanes back at once."""
    where = str(settings.webhook_port) if settings.webhook else "polling"
    return f"{socket.gethostname()}:{where}"


def build_application(settings: Settings, engine: Engine | None = None) -> Application:  # type: ignore[type-arg]
    """The bot, ready to poll: database prepared, handlers registered, limits set."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    engine, categories = prepare_database(settings, engine)
    limits = TelegramLimits(
        overall_per_second=settings.rate_limit_overall,
        group_limit=int(settings.rate_limit_group_per_minute),
        group_period=settings.rate_limit_group_period_s,
        background_share=settings.rate_limit_background_share,
    )
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        .request(AiohttpRequest(connection_pool_size=64))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(limits)
        .post_init(start_up)
        .post_stop(wind_down)
        .post_shutdown(wind_down)
        .build()
    )
    services = build_services(settings, engine, categories)
    services.follow_up_hour = settings.follow_up_hour
    services.retention_months = settings.retention_months
    courier = Courier(
        app.bot, services, limits, poll_s=settings.delivery_poll_s, holder=worker_name(settings)
    )
    services.kick_delivery = courier.kick
    app.bot_data["services"] = services
    app.bot_data["courier"] = courier
    services.chart_dir = settings.data_dir / "charts"
    # lägesbilder in a process that ends when done: the bot keeps none of their memory
    app.bot_data["digester"] = DigestWorker(
        Sources(engine, settings.tz, services.locator.gazetteer, services.areas),
        settings.templates_dir,
        environment=worker_environment(),
    )
    register_handlers(
        app, follow_up_check_s=settings.follow_up_check_s, digest_check_s=settings.digest_check_s
    )
    return app
