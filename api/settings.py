"""The settings of wivcheck, in one place: environment variables `WIVCHECK_*` and an optional TOML
config file, read with pydantic-settings. The CLI and the HTTP service both read them here (the
service's workers get them through the environment, so every worker has the same ones).

| setting | variable | default |
|---|---|---|
| rules folder | `WIVCHECK_RULES` | the shipped rules (package data) |
| decision log: a path (SQLite) or `postgresql://USER@HOST:PORT/DB` | `WIVCHECK_DB` | `$XDG_DATA_HOME/wivcheck/decisions.sqlite3` |
| tokens file | `WIVCHECK_TOKENS` | none: loopback only, every role |
| body limit (bytes) | `WIVCHECK_MAX_BODY` | 2097152 |
| gate body limit (bytes) | `WIVCHECK_MAX_GATE_BODY` | 67108864 |
| provisions per batch | `WIVCHECK_MAX_BATCH` | 1000 |
| JSON nesting depth | `WIVCHECK_MAX_DEPTH` | 32 |
| wait for a locked log (seconds) | `WIVCHECK_LOCK_WAIT` | 10 |
| log format (`json` or `text`) | `WIVCHECK_LOG_FORMAT` | `json` |
| log level (`debug`, `info`, `warning`, `error`) | `WIVCHECK_LOG_LEVEL` | `info` |
| the address the service is bound to | `WIVCHECK_HOST` | none (`wivcheck serve` sets it for its workers) |
| the key that signs the page's sessions | `WIVCHECK_SESSION_KEY` | none (`wivcheck serve` makes one per start) |

`WIVCHECK_CONFIG` names a TOML file with the same settings as keys (`db = "..."`, `max_body =
2097152`); a variable set in the environment wins over the file. A bad value raises SettingsError
naming the variable and what it expects; nothing starts on it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Optional

import pydantic
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from wivcheck.policy.errors import Problem, WivcheckError

_ENV = {"rules_dir": "WIVCHECK_RULES", "db": "WIVCHECK_DB", "tokens_path": "WIVCHECK_TOKENS",
        "max_body_bytes": "WIVCHECK_MAX_BODY", "max_gate_body_bytes": "WIVCHECK_MAX_GATE_BODY",
        "max_batch": "WIVCHECK_MAX_BATCH", "max_depth": "WIVCHECK_MAX_DEPTH", "lock_wait": "WIVCHECK_LOCK_WAIT",
        "log_format": "WIVCHECK_LOG_FORMAT", "log_level": "WIVCHECK_LOG_LEVEL",
        "bind_host": "WIVCHECK_HOST", "session_key": "WIVCHECK_SESSION_KEY"}
_FILE = {"rules_dir": "rules", "db": "db", "tokens_path": "tokens", "max_body_bytes": "max_body",
         "max_gate_body_bytes": "max_gate_body", "max_batch": "max_batch", "max_depth": "max_depth",
         "lock_wait": "lock_wait", "log_format": "log_format", "log_level": "log_level",
         "bind_host": "host", "session_key": "session_key"}


class SettingsError(WivcheckError):
    """A setting has a value of the wrong kind; each problem names the variable and what it expects."""

    code = "invalid_settings"


def _alias(name: str, *more: str):
    return AliasChoices(name, _ENV[name], _FILE[name], *more)


class Settings(BaseSettings):
    """Every setting, validated. Construct with `Settings.load()` (environment and config file) or
    with keyword arguments (tests, `wivcheck serve` passing its options on)."""

    # extra="forbid": a misspelt key in the config file is an error (environment variables that are
    # not settings are never read, so they cannot trip it)
    model_config = SettingsConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                                      case_sensitive=True)

    rules_dir: Optional[Path] = Field(None, validation_alias=_alias("rules_dir"),
                                      description="a folder of rule sets")
    db: Optional[str] = Field(None, validation_alias=_alias("db", "db_path"),
                              description="a path to the decision log (SQLite), or a URL "
                                          "postgresql://USER@HOST:PORT/DATABASE")
    tokens_path: Optional[Path] = Field(None, validation_alias=_alias("tokens_path"),
                                        description="a path to the tokens file")
    max_body_bytes: int = Field(2 * 1024 * 1024, gt=0, le=1 << 34, validation_alias=_alias("max_body_bytes"),
                                description="a whole number of bytes, e.g. 2097152")
    # a STIX bundle of 100,000 objects is about 33 MB
    max_gate_body_bytes: int = Field(64 * 1024 * 1024, gt=0, le=1 << 34,
                                     validation_alias=_alias("max_gate_body_bytes"),
                                     description="a whole number of bytes, e.g. 67108864")
    max_batch: int = Field(1000, ge=1, le=1_000_000, validation_alias=_alias("max_batch"),
                           description="a whole number of provisions, 1 or more")
    max_depth: int = Field(32, ge=4, le=256, validation_alias=_alias("max_depth"),
                           description="a whole number from 4 to 256")
    lock_wait: float = Field(10.0, ge=0, le=3600, validation_alias=_alias("lock_wait"),
                             description="seconds, from 0 to 3600")
    log_format: Literal["json", "text"] = Field("json", validation_alias=_alias("log_format"),
                                                description="json or text")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", validation_alias=_alias("log_level"), description="debug, info, warning or error")

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value
    # each worker checks the bind itself: without tokens it serves only on loopback (api/http/state.py)
    bind_host: Optional[str] = Field(None, min_length=1, max_length=255, validation_alias=_alias("bind_host"),
                                     description="a host name or address, e.g. 127.0.0.1")
    session_key: Optional[SecretStr] = Field(None, min_length=32, validation_alias=_alias("session_key"),
                                             description="at least 32 characters of secret")

    @pydantic.field_validator("db", mode="before")
    @classmethod
    def _db_target(cls, value: Any) -> Any:
        """A path stays a path (as text); a URL must be postgresql:// (or sqlite:///PATH)."""
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, str) and "://" in value:
            scheme = value.split("://", 1)[0]
            if scheme not in ("postgresql", "postgres", "sqlite"):
                raise ValueError(f"a URL of scheme {scheme!r}")
        if isinstance(value, str) and not value.strip():
            raise ValueError("empty")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("WIVCHECK_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)

    @classmethod
    def load(cls, **overrides: Any) -> "Settings":
        """The settings from the environment (and `WIVCHECK_CONFIG`), with `overrides` (not None)
        on top. Raises SettingsError naming each bad variable."""
        config = os.environ.get("WIVCHECK_CONFIG")
        if config and not Path(config).is_file():
            raise SettingsError("cannot read the config file", [Problem(f"no such file: {config}", "WIVCHECK_CONFIG")])
        try:
            base = cls()
            given = {k: v for k, v in overrides.items() if v is not None}
            return base.model_copy(update=given) if given else base
        except pydantic.ValidationError as exc:
            raise SettingsError("a setting is not valid", [_problem(e, config) for e in exc.errors()]) from None
        except UnicodeDecodeError:
            raise SettingsError("cannot read the config file",
                                [Problem(f"{config} is not UTF-8 text (a TOML file)", "WIVCHECK_CONFIG")]) from None
        except (OSError, ValueError) as exc:  # an unreadable or broken TOML file
            raise SettingsError("cannot read the config file",
                                [Problem(f"{config}: {exc}", "WIVCHECK_CONFIG")]) from None

    # kept for callers that read the environment explicitly
    from_env = load

    def to_env(self) -> dict[str, str]:
        """The settings as `WIVCHECK_*` variables, for uvicorn's worker processes."""
        out = {}
        for name, var in _ENV.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is not None:
                out[var] = str(value)
        return out


def _problem(error: dict, config: str | None) -> Problem:
    """A problem naming the variable, or the key of the config file when the value came from there."""
    name = _field(error)
    if error.get("type") == "extra_forbidden":
        return Problem(f"unknown setting (known: {', '.join(_FILE.values())})", f"{config}: {error['loc'][0]}")
    var = _ENV.get(name, name)
    where = var if var in os.environ or not config else f"{config}: {_FILE.get(name, name)}"
    return Problem(f"{_expects(error)} (got {_shown(error)!r})", where)


def _field(error: dict) -> str:
    loc = error.get("loc") or ("",)
    key = str(loc[0])
    for name in _ENV:
        if key in (name, _ENV[name], _FILE[name]):
            return name
    return key


def _shown(error: dict):
    """The value given, with a password in a database URL hidden."""
    value = error.get("input")
    if _field(error) == "db" and isinstance(value, str):
        from wivcheck.engine.log import redact_url
        return redact_url(value)
    return value


def _expects(error: dict) -> str:
    name = _field(error)
    info = Settings.model_fields.get(name)
    return f"expected {info.description}" if info and info.description else error.get("msg", "not valid")
