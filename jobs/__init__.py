"""The schedule: every recurring job, its `module:function` and its trigger, in one list.

Times are in the configured time zone (Europe/London by default), so a 03:30 job stays at
03:30 local time across clock changes. An entry's `settings_args` names settings that
override its trigger arguments when the jobs are stored (at `init` and when a process
becomes the scheduler leader), e.g. FORUMBOT_FORUM_REMINDER_CHECK_MINUTES.
"""

from bot.scheduling import Schedule

SCHEDULES: list[Schedule] = [
    Schedule(
        id="purge-outbox",
        func="jobs.maintenance:purge_outbox",
        trigger="cron",
        trigger_args={"hour": 3, "minute": 30},
        description="Delete delivered and failed messages older than the retention period",
    ),
    Schedule(
        id="check-outbox",
        func="jobs.maintenance:check_outbox",
        trigger="interval",
        trigger_args={"minutes": 15},
        description="Warn when messages are failing or waiting too long",
    ),
    Schedule(
        id="apply-bounces",
        func="jobs.members:apply_bounces",
        trigger="interval",
        trigger_args={"minutes": 10},
        description="Stop list mail to members whose mail keeps bouncing",
    ),
    Schedule(
        id="close-polls",
        func="jobs.polls:close_polls",
        trigger="interval",
        trigger_args={"minutes": 1},
        description="Close polls on time, publish results, show email and web votes in Slack",
    ),
    Schedule(
        id="forum-reminders",
        func="jobs.forum:send_reminders",
        trigger="interval",
        trigger_args={"minutes": 5},
        settings_args={"minutes": "forum_reminder_check_minutes"},
        description="Remind those attending a forum session (7 days, 1 day, 15 minutes before)",
    ),
    Schedule(
        id="forum-feedback",
        func="jobs.forum:request_feedback",
        trigger="interval",
        trigger_args={"minutes": 15},
        description="Ask attendees for feedback after a forum session ends",
    ),
]
