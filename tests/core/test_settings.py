from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from core.settings import AuthSettings, Settings


def env_names(model: BaseModel, prefix: str = "TOPLLANTAS_") -> list[str]:
    names = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            names += env_names(value, f"{prefix}{name.upper()}__")
        else:
            names.append(prefix + name.upper())
    return names


def test_the_readme_table_lists_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [n for n in env_names(Settings()) if f"`{n}`" not in readme]
    assert not missing


def test_nested_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOPLLANTAS_RATE_LIMIT__PER_MINUTE", "77")
    monkeypatch.setenv("TOPLLANTAS_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.rate_limit.per_minute == 77
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/topllantas.db"
    secret = settings.jwt_secret()
    assert len(secret) > 40 and settings.jwt_secret() == secret  # generated once, then kept


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", auth=AuthSettings(secret_key=SecretStr("changethis")))
    ok = Settings(
        environment="production",
        auth=AuthSettings(secret_key=SecretStr("s" * 40)),
        public_base_url="https://api.topllantas.mx",
    )
    assert ok.jwt_secret() == "s" * 40


def test_production_refuses_to_start_without_a_public_base_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = AuthSettings(secret_key=SecretStr("s" * 40))
    with pytest.raises(ValidationError, match="TOPLLANTAS_PUBLIC_BASE_URL must be set"):
        Settings(environment="production", auth=secret)
    monkeypatch.setenv("TOPLLANTAS_PUBLIC_BASE_URL", "https://api.topllantas.mx")
    assert Settings(environment="production", auth=secret).public_base_url.startswith("https")
    # Outside production the default (and the tunnel's forwarded URL) still serve a laptop.
    monkeypatch.delenv("TOPLLANTAS_PUBLIC_BASE_URL")
    assert Settings(environment="development").public_base_url


def test_unset_the_public_url_is_where_this_server_listens() -> None:
    """`TOPLLANTAS_PORT=8010 make run`: payment and tracking links point at port 8010, and the
    URL still counts as unset for the webhook's signature check (development only)."""
    moved = Settings(port=8010, host="0.0.0.0")
    assert moved.public_base_url == "http://127.0.0.1:8010"
    assert "public_base_url" not in moved.model_fields_set
    assert Settings(port=8010, public_base_url="https://api.topllantas.mx").public_base_url == (
        "https://api.topllantas.mx"
    )
