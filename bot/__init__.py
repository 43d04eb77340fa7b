"""forumbot: runs a safeguarding children partnership's Practitioner Forum by Slack and email."""

__version__ = "0.1.0"
