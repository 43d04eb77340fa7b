"""The domain core: business rules and the ports they need; no Slack, SMTP, HTTP or scheduler."""
