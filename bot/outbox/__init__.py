"""The one outbox: a durable queue that every outgoing message passes through, and its worker."""
