"""Multi-agency training: courses and their events, delegates' bookings and attendance (from a
booking system's CSV, the web admin pages or Slack), utilisation and non-attendance figures,
and the evaluation sent to those who attended each event."""
