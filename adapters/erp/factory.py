"""The store of record the settings choose: our SQL database, or another ERP over REST."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from adapters.erp.base import ErpClient
from adapters.erp.rest import RestErp
from adapters.erp.sql import SqlErp
from core.settings import Settings


def build_erp(settings: Settings, engine: Engine, *, actor: str) -> ErpClient:
    """``TOPLLANTAS_ERP__STORE``: ``sql`` (default) or ``rest`` (``TOPLLANTAS_ERP__REST_*``)."""
    if settings.erp.store == "sql":
        return SqlErp.from_settings(engine, settings, actor=actor)
    erp = settings.erp
    return RestErp(
        erp.rest_base_url,
        api_key=erp.rest_api_key.get_secret_value() if erp.rest_api_key else None,
        client_id=erp.rest_client_id,
        client_secret=erp.rest_client_secret.get_secret_value() if erp.rest_client_secret else None,
        timeout_s=erp.rest_timeout_seconds,
        retries=erp.rest_retries,
    )
