"""Surveys and course evaluations: definitions (YAML or the web), invitations, answers kept
apart from who answered when anonymous, reminders and reports."""
