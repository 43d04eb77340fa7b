"""The email channel: composing messages, sending them over SMTP, and the local mail catcher."""
