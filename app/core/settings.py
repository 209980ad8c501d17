"""All configuration: one pydantic-settings object, read once at start (SPEC §5)."""

from __future__ import annotations

import os
import re
from functools import cached_property
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.errors import ConfigError
from app.core.outbox import PushKind, push_kinds

SLACK_API_URL = "https://slack.com/api/"
HUBSPOT_API_URL = "https://api.hubapi.com"
SALESFORCE_LOGIN_URL = "https://login.salesforce.com"
SALESFORCE_API_VERSION = "62.0"
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")  # a Salesforce field's API name (it goes into SOQL)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None  # OAuth: the app's Redirect URL, when Slack must be told it
    database_url: str = "sqlite:///stakemap.db"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: str = "text"
    # HTTP server: gunicorn worker processes (default: one per core this process may run on), and the
    # request threads of each.
    web_concurrency: int = Field(default_factory=lambda: usable_cores(), ge=1, le=64)
    http_threads: int = Field(default=16, ge=1, le=256)
    # HubSpot pull (README "HubSpot"): a private app's token, the API's base URL (a stand-in in tests), the
    # company properties that hold the ARR, its currency and the renewal date (unset: not read), the contact
    # property holding the department (unset: not read), the contact property naming the manager (their HubSpot
    # contact id or e-mail; unset: reports-to is not read), and how often `serve` syncs (0: never).
    hubspot_access_token: str | None = None
    hubspot_api_url: str = HUBSPOT_API_URL
    hubspot_arr_field: str | None = None
    hubspot_currency_field: str | None = None
    hubspot_renewal_field: str | None = None
    hubspot_department_field: str | None = None
    hubspot_reports_to_field: str | None = None
    crm_sync_hours: float = Field(default=3, ge=0, le=24 * 7)
    hubspot_attempts: int = Field(default=6, ge=1, le=20)  # per request, on 429 / 5xx / timeouts
    hubspot_backoff_seconds: float = Field(default=1.0, ge=0, le=60)  # doubled after each failed attempt
    # Salesforce pull (README "Salesforce"): the instance URL with an access token, or a username, password and
    # security token logged in at the login URL (SOAP login); the Account fields holding the ARR, its currency
    # and the renewal date (API names; unset: not read).
    salesforce_instance_url: str | None = None
    salesforce_access_token: str | None = None
    salesforce_username: str | None = None
    salesforce_password: str | None = None
    salesforce_security_token: str | None = None
    salesforce_login_url: str = SALESFORCE_LOGIN_URL
    salesforce_api_version: str = Field(default=SALESFORCE_API_VERSION, pattern=r"^v?\d{2,3}\.0$")
    salesforce_arr_field: str | None = None
    salesforce_currency_field: str | None = None
    salesforce_renewal_field: str | None = None
    salesforce_attempts: int = Field(default=6, ge=1, le=20)  # per request, on REQUEST_LIMIT_EXCEEDED / 5xx / timeouts
    salesforce_backoff_seconds: float = Field(default=1.0, ge=0, le=60)  # doubled after each failed attempt
    # CRM push (README "HubSpot": "What is written"): what is pushed to the CRM a contact is linked to —
    # "touches", "roles", "departures" (comma-separated, or "all"; empty: nothing is pushed); how often
    # `serve` delivers the outbox besides right after each change; and, on a departure, the HubSpot contact
    # property set (unset: only the role labels are removed) and the value it is set to.
    crm_push: str = ""
    crm_push_seconds: float = Field(default=10, ge=1, le=3600)
    hubspot_left_property: str | None = None
    hubspot_left_value: str = "Left the company"

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("crm_push")
    @classmethod
    def _push_words(cls, value: str) -> str:
        push_kinds(value)  # a ValueError naming the bad word
        return value

    @cached_property
    def push_kinds(self) -> frozenset[PushKind]:
        """What CRM_PUSH switches on."""
        return push_kinds(self.crm_push)

    @field_validator("hubspot_api_url", "salesforce_instance_url", "salesforce_login_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @field_validator("salesforce_arr_field", "salesforce_currency_field", "salesforce_renewal_field")
    @classmethod
    def _field_name(cls, value: str | None) -> str | None:
        if value and not FIELD_NAME.match(value):
            raise ValueError("give a field's API name, such as ARR__c")
        return value or None

    @property
    def crms(self) -> list[str]:
        """The CRMs configured: "hubspot" with its token, "salesforce" with a token or a username."""
        return [name for name, configured in (("hubspot", self.hubspot_access_token),
                                                ("salesforce", self.salesforce_access_token or self.salesforce_username))
                if configured]

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver stakemap ships (psycopg 3 for PostgreSQL)."""
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    def trusted_response_url(self, url: str) -> bool:
        """response_url values we post to: Slack's hooks host over https, or the very scheme, host and port
        SLACK_API_URL points at when it is not Slack's (the stand-in)."""
        try:
            target, api = urlsplit(url), urlsplit(self.slack_api_url)
            where = (target.scheme, target.hostname, target.port)
        except ValueError:  # not a URL (a bad port, a broken IPv6 address)
            return False
        if where in (("https", "hooks.slack.com", None), ("https", "hooks.slack.com", 443)):
            return True
        return self.slack_api_url != SLACK_API_URL and where == (api.scheme, api.hostname, api.port)

    def require(self, *names: str) -> None:
        """End with one sentence naming every variable that must be set and is not."""
        missing = [name.upper() for name in names if not getattr(self, name)]
        if missing:
            raise ConfigError(f"Set {' and '.join(missing)} (see README: 'Create the Slack app').")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "the configuration"
        raise ConfigError(f"{name} is invalid: {first['msg']}.") from None
