"""Settings, read once from the environment or a `.env` file and handed down."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.places.gazetteer import BoundingBox

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{5,}$")
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook's secret_token allows
_PLACEHOLDER_TOKENS = {"changeme", "your-token-here", "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"}


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Everything an operator can set; see `.env.example` for the meaning of each."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    telegram_bot_token: SecretStr | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", validation_alias=_env("TELEGRAM_API_BASE_URL")
    )
    telegram_api_file_url: str = Field(
        "https://api.telegram.org/file/bot", validation_alias=_env("TELEGRAM_API_FILE_URL")
    )
    database_url: str | None = Field(None, validation_alias=_env("ESTBOT_DATABASE_URL"))
    data_dir: Path = Field(Path("data"), validation_alias=_env("ESTBOT_DATA_DIR"))
    language: Literal["sv", "en"] = Field("sv", validation_alias=_env("ESTBOT_LANGUAGE"))
    timezone: str = Field("Europe/Stockholm", validation_alias=_env("ESTBOT_TIMEZONE"))
    log_level: str = Field("INFO", validation_alias=_env("ESTBOT_LOG_LEVEL"))

    categories_file: Path | None = Field(None, validation_alias=_env("ESTBOT_CATEGORIES_FILE"))
    gazetteer_file: Path | None = Field(None, validation_alias=_env("ESTBOT_GAZETTEER_FILE"))
    municipality_bbox: str = Field(
        "59.05,15.00,59.20,15.30", validation_alias=_env("ESTBOT_MUNICIPALITY_BBOX")
    )
    areas_file: Path | None = Field(None, validation_alias=_env("ESTBOT_AREAS_FILE"))
    templates_dir: Path | None = Field(None, validation_alias=_env("ESTBOT_TEMPLATES_DIR"))
    digest_check_s: float = Field(60.0, gt=0, validation_alias=_env("ESTBOT_DIGEST_CHECK_INTERVAL"))
    place_name_radius_m: float = Field(400.0, validation_alias=_env("ESTBOT_PLACE_NAME_RADIUS_M"))

    geocoder: Literal["nominatim", "none"] = Field(
        "nominatim", validation_alias=_env("ESTBOT_GEOCODER")
    )
    geocoder_domain: str = Field(
        "nominatim.openstreetmap.org", validation_alias=_env("ESTBOT_GEOCODER_DOMAIN")
    )
    geocoder_scheme: Literal["https", "http"] = Field(
        "https", validation_alias=_env("ESTBOT_GEOCODER_SCHEME")
    )
    geocoder_user_agent: str = Field(
        "estbot/0.1 (municipal safety reports)", validation_alias=_env("ESTBOT_GEOCODER_USER_AGENT")
    )
    geocoder_country_codes: str = Field(
        "se", validation_alias=_env("ESTBOT_GEOCODER_COUNTRY_CODES")
    )
    geocoder_min_delay_s: float = Field(1.0, validation_alias=_env("ESTBOT_GEOCODER_MIN_DELAY"))
    geocoder_timeout_s: float = Field(5.0, validation_alias=_env("ESTBOT_GEOCODER_TIMEOUT"))

    rate_limit_overall: float = Field(30.0, validation_alias=_env("ESTBOT_RATE_LIMIT_OVERALL"))
    rate_limit_group_per_minute: float = Field(
        20.0, validation_alias=_env("ESTBOT_RATE_LIMIT_GROUP")
    )
    rate_limit_group_period_s: float = Field(
        60.0, gt=0, validation_alias=_env("ESTBOT_RATE_LIMIT_GROUP_PERIOD")
    )
    # The least share of the overall limit that cards, notices and digests get while
    # people wait for answers (answers go first, in order of arrival).
    rate_limit_background_share: float = Field(
        0.25, gt=0, lt=1, validation_alias=_env("ESTBOT_RATE_LIMIT_BACKGROUND_SHARE")
    )
    delivery_poll_s: float = Field(1.0, gt=0, validation_alias=_env("ESTBOT_DELIVERY_POLL"))
    follow_up_hour: int = Field(8, ge=0, le=23, validation_alias=_env("ESTBOT_FOLLOW_UP_HOUR"))
    follow_up_check_s: float = Field(
        900.0, gt=0, validation_alias=_env("ESTBOT_FOLLOW_UP_CHECK_INTERVAL")
    )
    # Observations (with comments, photos, history) older than this are purged every night.
    retention_months: int | None = Field(
        None, ge=1, validation_alias=_env("ESTBOT_RETENTION_MONTHS")
    )
    max_concurrent_updates: int = Field(256, validation_alias=_env("ESTBOT_MAX_CONCURRENT_UPDATES"))

    webhook: bool = Field(False, validation_alias=_env("ESTBOT_WEBHOOK"))
    webhook_listen: str = Field("127.0.0.1", validation_alias=_env("ESTBOT_WEBHOOK_LISTEN"))
    webhook_port: int = Field(8443, ge=1, le=65535, validation_alias=_env("ESTBOT_WEBHOOK_PORT"))
    webhook_url: str | None = Field(None, validation_alias=_env("ESTBOT_WEBHOOK_URL"))
    webhook_secret_token: SecretStr | None = Field(
        None, validation_alias=_env("ESTBOT_WEBHOOK_SECRET_TOKEN")
    )

    @field_validator("telegram_bot_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        if token.lower() in _PLACEHOLDER_TOKENS or not _TOKEN_SHAPE.match(token):
            raise ValueError(
                "TELEGRAM_BOT_TOKEN does not look like a token from @BotFather (digits:letters)"
            )
        return SecretStr(token)

    @field_validator("webhook_secret_token")
    @classmethod
    def _valid_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not _SECRET_SHAPE.match(value.get_secret_value().strip()):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("webhook_url")
    @classmethod
    def _valid_webhook_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):  # http: a local Bot API server
            raise ValueError("give the public address, e.g. https://example.org/estbot")
        return value or None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Stockholm") from exc
        return value

    @field_validator("municipality_bbox")
    @classmethod
    def _valid_bbox(cls, value: str) -> str:
        BoundingBox.parse(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def bbox(self) -> BoundingBox:
        return BoundingBox.parse(self.municipality_bbox)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'estbot.db').as_posix()}"

    @property
    def secret_token(self) -> str | None:
        secret = self.webhook_secret_token
        return secret.get_secret_value() if secret else None

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
