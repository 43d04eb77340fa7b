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
    Schedule(
        id="poll-feeds",
        func="jobs.feeds:poll_feeds",
        trigger="interval",
        trigger_args={"minutes": 60},
        settings_args={"minutes": "feeds_poll_minutes"},
        description="Fetch new items from the followed RSS and Atom feeds",
    ),
    Schedule(
        id="prepare-newsletter",
        func="jobs.newsletters:prepare_newsletter",
        trigger="cron",
        trigger_args={"minute": 0, "hour": 9, "day": 1},
        settings_args={"crontab": "newsletter_schedule"},
        description="Draft the month's newsletter and ask the reviewers to check and send it",
    ),
    Schedule(
        id="send-newsletters",
        func="jobs.newsletters:send_newsletters",
        trigger="interval",
        trigger_args={"minutes": 1},
        description="Send a newsletter scheduled for now, or finish one whose sending stopped",
    ),
    Schedule(
        id="training-evaluations",
        func="jobs.training:send_evaluations",
        trigger="interval",
        trigger_args={"minutes": 15},
        description="Send the evaluation to delegates who attended a course that has ended",
    ),
    Schedule(
        id="survey-reminders",
        func="jobs.surveys:remind",
        trigger="interval",
        trigger_args={"hours": 1},
        description="Close surveys on time, invite on the opening day, remind those who have not answered",
    ),
    Schedule(
        id="survey-reports",
        func="jobs.survey_reports:post_survey_reports",
        trigger="interval",
        trigger_args={"minutes": 15},
        description="Send the chair a survey's report summary once the survey has closed",
    ),
]
