"""The schedule: every recurring job, its `module:function` and its trigger, in one list.

Times are in the configured time zone (Europe/London by default), so a 03:30 job stays at
03:30 local time across clock changes.
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
]
