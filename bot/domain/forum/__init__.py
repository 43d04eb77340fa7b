"""The Practitioner Forum's meetings and polls: sessions, invitations, RSVPs, reminders,
questions in advance, attendance and feedback.

Like the rest of the domain these modules take an `AsyncSession` and `now` and leave the
commit to the caller; they queue every message through the one outbox.
"""
