"""The Slack app manifest asks for what the app listens to, and no more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).parent.parent / "config" / "slack-manifest.yaml"


def _manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_manifest_declares_the_command_events_and_home() -> None:
    manifest = _manifest()
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/forum"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
    }
    assert settings["interactivity"]["is_enabled"] is True
    urls = {
        features["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {
        "https://forum.example.org/slack/events"
    }  # one endpoint: /slack/events


def test_the_scopes_cover_the_web_api_methods_the_bot_calls() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    # chat.postMessage, the slash command, users.info with the address, DMs and mentions.
    assert {
        "chat:write",
        "commands",
        "users:read",
        "users:read.email",
        "im:history",
        "app_mentions:read",
    } <= scopes
