"""The newsletter: a monthly digest of briefings, sessions, training, polls, surveys and reading.

Modules: `digest` (the sections and their providers), `drafts` (issues, their periods and
schedule), `personal` (one member's copy), `sending` (freeze, queue in batches, resume;
`turns`: one sender at a time), `review` (the month's draft), `trial` (test copies)
and, beside it, `bot.domain.campaigns` (per-campaign reports, for any campaign).
"""

from bot.domain.newsletters.digest import (
    PROVIDERS,
    Period,
    Provider,
    Section,
    compose_digest,
)
from bot.domain.newsletters.drafts import (
    DRAFT,
    SCHEDULED,
    SENDING,
    SENT,
    NewsletterNotFoundError,
    create_draft,
    due_newsletters,
    edit_draft,
    get_newsletter,
    list_newsletters,
    month_of,
    period_for,
    schedule,
    send_soon,
)
from bot.domain.newsletters.personal import (
    TEMPLATE,
    copy_for,
    html_part,
    personal_context,
    preview_message,
    sample_member,
)
from bot.domain.newsletters.sending import (
    BATCH,
    SendResult,
    content_for,
    count_recipients,
    member_key,
    queue_batch,
    send_newsletter,
    start_sending,
)
from bot.domain.newsletters.trial import queue_test_copies
from bot.domain.newsletters.turns import NewsletterBusyError

__all__ = [
    "BATCH",
    "DRAFT",
    "PROVIDERS",
    "SCHEDULED",
    "SENDING",
    "SENT",
    "TEMPLATE",
    "NewsletterBusyError",
    "NewsletterNotFoundError",
    "Period",
    "Provider",
    "Section",
    "SendResult",
    "compose_digest",
    "content_for",
    "copy_for",
    "count_recipients",
    "create_draft",
    "due_newsletters",
    "edit_draft",
    "get_newsletter",
    "html_part",
    "list_newsletters",
    "member_key",
    "month_of",
    "period_for",
    "personal_context",
    "preview_message",
    "queue_batch",
    "queue_test_copies",
    "sample_member",
    "schedule",
    "send_newsletter",
    "send_soon",
    "start_sending",
]
