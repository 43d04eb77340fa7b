"""The web channel: plain HTML pages and JSON endpoints, one FastAPI app that also hosts Slack later."""
