"""The city server's configuration: a TOML file for settings, the environment or files it names for secrets, and
what `serve` hands its workers. Expected values are the files' and the environment's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityserver import config
from cityserver.config import ConfigError


def env_with(tmp_path: Path, toml: str | None = None, **more: str) -> dict[str, str]:
    env = {"COUNTERDESK_SERVER_CONFIG": str(tmp_path / "server.toml")}
    if toml is not None:
        (tmp_path / "server.toml").write_text(toml, encoding="utf-8")
    return {**env, **more}


def test_settings_come_from_the_file_and_secrets_from_files_the_environment_names(tmp_path: Path) -> None:
    (tmp_path / "db-url").write_text("postgresql+psycopg://city:s3cret@db.city.example/city\n", encoding="utf-8")
    (tmp_path / "pepper").write_text("ab" * 32, encoding="utf-8")
    toml = '[server]\nworkers = 4\nport = 9000\ntrusted_proxies = ["10.0.0.5"]\ntrack_limit_per_minute = 12\n'
    env = env_with(
        tmp_path,
        toml,
        COUNTERDESK_DB_URL_FILE=str(tmp_path / "db-url"),
        COUNTERDESK_AUDIT_PEPPER_FILE=str(tmp_path / "pepper"),
    )
    cfg = config.load(env)
    assert (cfg.workers, cfg.port, cfg.trusted_proxies) == (4, 9000, ("10.0.0.5",))
    assert cfg.settings.track_limit_per_minute == 12
    assert cfg.db_url == "postgresql+psycopg://city:s3cret@db.city.example/city"
    assert cfg.audit_pepper == bytes([0xAB]) * 32
    assert "s3cret" not in json.dumps(cfg.options())  # what workers get through the environment holds no secret


def test_the_command_line_overrides_the_file_and_workers_rebuild_the_same(tmp_path: Path) -> None:
    env = env_with(tmp_path, "[server]\nworkers = 4\nmin_client_version = '0.1.0'\n", COUNTERDESK_DB_URL="sqlite://")
    cfg = config.load(env, {"workers": 2, "host": None})
    assert (cfg.workers, cfg.host, cfg.settings.min_client_version) == (2, "127.0.0.1", "0.1.0")
    worker = config.load({**env, config.RESOLVED_ENV: json.dumps(cfg.options())})
    assert worker == cfg


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[server]\nwokers = 2\n", "wokers"),
        ("[server]\nworkers = 'two'\n", "workers"),
        ("[server]\nworkers = 0\n", "workers"),
        ("[server]\nlatest_version = 'soon'\n", "latest_version"),
        ("[server]\ntrusted_proxies = ['10.0.0.300']\n", "trusted_proxies"),
        ("[server]\nlog_format = 'xml'\n", "log_format"),
        ("[database]\nurl = 'x'\n", "database"),
        ("[server\n", "無法解讀"),
    ],
)
def test_a_bad_file_is_refused_with_what_is_wrong(tmp_path: Path, toml: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        config.load(env_with(tmp_path, toml))


def test_a_named_file_that_is_missing_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不存在"):
        config.load(env_with(tmp_path))


@pytest.mark.parametrize("pepper", ["not hex", "ab" * 8])
def test_a_weak_or_unreadable_audit_key_is_refused(tmp_path: Path, pepper: str) -> None:
    with pytest.raises(ConfigError, match="稽核金鑰"):
        config.load(env_with(tmp_path, "", COUNTERDESK_AUDIT_PEPPER=pepper))


def test_a_broken_database_url_is_refused_without_repeating_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(env_with(tmp_path, "", COUNTERDESK_DB_URL="postgresql+psycopg://city:s3cret@:::"))
    assert "s3cret" not in str(caught.value)


def test_a_secret_file_that_cannot_be_read_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="COUNTERDESK_DB_URL_FILE"):
        config.load(env_with(tmp_path, "", COUNTERDESK_DB_URL_FILE=str(tmp_path / "missing")))
