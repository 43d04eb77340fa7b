"""Settings: defaults, TOML file and FORUMBOT_* precedence, and one-line errors for bad values."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import DEV_SECRET, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_ENV = REPO / "config" / "example.env"
LONG_SECRET = "a-long-random-production-secret-0123456789"


@pytest.fixture(autouse=True)
def _in_empty_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Relative paths (config/.env, config/forumbot.toml, data/) resolve in an empty folder."""
    monkeypatch.chdir(tmp_path)


def _config_error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.strip() == message and message
    return message


def _write_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forumbot.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FORUMBOT_CONFIG_FILE", str(path))
    return path


def test_defaults_work_with_no_configuration(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.environment == "development"
    assert settings.secret_key.get_secret_value() == DEV_SECRET
    assert settings.smtp_host is None and settings.uses_catcher
    assert settings.zone.key == "Europe/London"
    assert (
        settings.effective_database_url
        == f"sqlite:///{tmp_path / 'data' / 'forumbot.db'}"
    )
    assert settings.effective_list_id == "practitioner-forum.example.org"
    assert settings.envelope_sender == "forum@example.org"
    assert settings.caught_mail_dir == Path("data") / "caught-mail"
    assert str(settings.base_url) == "http://127.0.0.1:8000/"


def test_environment_overrides_the_toml_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(
        monkeypatch,
        tmp_path,
        """
partnership_name = "Riverside Safeguarding Children Partnership"
smtp_host = "relay.toml.example.org"
smtp_port = 2500
timezone = "Europe/Dublin"
topics = ["Neglect", "Exploitation"]

[[contacts]]
name = "Children's Services Front Door"
phone = "0300 123 4567"
urgent = true
""",
    )
    monkeypatch.setenv("FORUMBOT_SMTP_PORT", "2600")
    monkeypatch.setenv("FORUMBOT_TIMEZONE", "Europe/London")
    settings = load_settings()
    assert settings.smtp_port == 2600  # environment wins
    assert settings.timezone == "Europe/London"
    assert settings.smtp_host == "relay.toml.example.org"  # the file fills the rest
    assert settings.partnership_name == "Riverside Safeguarding Children Partnership"
    assert settings.topics == ["Neglect", "Exploitation"]
    assert [(c.name, c.phone, c.urgent) for c in settings.contacts] == [
        ("Children's Services Front Door", "0300 123 4567", True)
    ]
    assert not settings.uses_catcher


def test_values_passed_in_override_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORUMBOT_SMTP_PORT", "2600")
    assert load_settings(smtp_port=2700).smtp_port == 2700


def test_a_missing_config_file_is_not_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FORUMBOT_CONFIG_FILE", str(tmp_path / "absent.toml"))
    assert load_settings().smtp_port == 587


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FORUMBOT_SMTP_PORT", "abc"),
        ("FORUMBOT_SMTP_PORT", "70000"),
        ("FORUMBOT_TIMEZONE", "Mars/Base"),
        ("FORUMBOT_DATABASE_URL", "mysql://forum@db.example.org/forum"),
        ("FORUMBOT_ENVIRONMENT", "staging"),
        ("FORUMBOT_LOG_LEVEL", "CHATTY"),
        ("FORUMBOT_SENDER_ADDRESS", "not-an-address"),
        ("FORUMBOT_BASE_URL", "not a url"),
        ("FORUMBOT_SMTP_SECURITY", "ssl3"),
        ("FORUMBOT_DELIVERY_BATCH_SIZE", "0"),
        ("FORUMBOT_SECRET_KEY", "short"),
    ],
)
def test_a_malformed_value_gives_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    message = _config_error(monkeypatch, **{variable: value})
    assert variable in message


def test_the_message_says_what_was_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _config_error(monkeypatch, FORUMBOT_SMTP_PORT="abc") == (
        "FORUMBOT_SMTP_PORT: Input should be a valid integer, unable to parse string as an integer (got 'abc')"
    )
    assert "unknown time zone 'Mars/Base'" in _config_error(
        monkeypatch, FORUMBOT_TIMEZONE="Mars/Base"
    )
    assert "only sqlite:/// and postgresql://" in _config_error(
        monkeypatch, FORUMBOT_DATABASE_URL="mysql://x/y"
    )


def test_several_problems_share_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _config_error(
        monkeypatch, FORUMBOT_SMTP_PORT="abc", FORUMBOT_WEB_PORT="-1"
    )
    assert "FORUMBOT_SMTP_PORT" in message and "FORUMBOT_WEB_PORT" in message


def test_malformed_json_in_a_list_setting_gives_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _config_error(monkeypatch, FORUMBOT_CONTACTS="[not json")
    assert "contacts" in message.lower()


def test_a_bad_value_in_the_toml_file_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(monkeypatch, tmp_path, 'smtp_port = "abc"\n')
    assert "FORUMBOT_SMTP_PORT" in _config_error(monkeypatch)


def test_an_unknown_setting_in_the_toml_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(monkeypatch, tmp_path, 'smtp_hots = "relay.example.org"\n')
    assert "SMTP_HOTS" in _config_error(monkeypatch).upper()


def test_broken_toml_gives_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _write_toml(
        monkeypatch, tmp_path, 'partnership_name = "Unclosed\nsmtp_port = [1,\n'
    )
    message = _config_error(monkeypatch)
    assert message.startswith(f"{path} is not valid TOML")


def test_production_refuses_the_development_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _config_error(
        monkeypatch,
        FORUMBOT_ENVIRONMENT="production",
        FORUMBOT_SMTP_HOST="relay.example.org",
    )
    assert "FORUMBOT_SECRET_KEY" in message


def test_production_refuses_a_missing_smtp_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _config_error(
        monkeypatch, FORUMBOT_ENVIRONMENT="production", FORUMBOT_SECRET_KEY=LONG_SECRET
    )
    assert "FORUMBOT_SMTP_HOST" in message


def test_production_with_a_secret_and_a_relay_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORUMBOT_ENVIRONMENT", "production")
    monkeypatch.setenv("FORUMBOT_SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("FORUMBOT_SMTP_HOST", "relay.example.org")
    settings = load_settings()
    assert settings.environment == "production" and not settings.uses_catcher


def test_a_password_needs_a_username(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _config_error(
        monkeypatch, FORUMBOT_SMTP_HOST="relay.example.org", FORUMBOT_SMTP_PASSWORD="pw"
    )
    assert "FORUMBOT_SMTP_USERNAME" in message


def test_a_lease_shorter_than_a_batch_at_the_rate_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2 lanes x 100 messages at 1 a second take 200 s: far past a 120 s lease.
    message = _config_error(monkeypatch, FORUMBOT_SMTP_RATE_PER_SECOND="1")
    assert "FORUMBOT_DELIVERY_LEASE_SECONDS" in message and "\n" not in message
    monkeypatch.setenv("FORUMBOT_DELIVERY_BATCH_SIZE", "10")
    assert load_settings().delivery_batch_size == 10


def test_the_cli_prints_one_line_and_exits_2_on_bad_configuration(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "FORUMBOT_SMTP_PORT": "abc", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "outbox", "status"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("forumbot: configuration error:")
    assert "FORUMBOT_SMTP_PORT" in lines[0]
    assert "Traceback" not in result.stderr


def test_example_env_documents_every_setting() -> None:
    assert EXAMPLE_ENV.is_file(), (
        f"{EXAMPLE_ENV.relative_to(REPO)} is missing: it must document every setting"
    )
    documented = set(
        re.findall(r"\bFORUMBOT_([A-Z0-9_]+)", EXAMPLE_ENV.read_text(encoding="utf-8"))
    )
    missing = sorted(
        f"FORUMBOT_{name.upper()}"
        for name in Settings.model_fields
        if name.upper() not in documented
    )
    assert not missing, f"config/example.env does not mention {', '.join(missing)}"
