"""The Slack channel: a Bolt app (HTTP or Socket Mode) that translates Slack to the domain and back."""
