"""The review-reminder cycle: which reminders are owed (``schedule``, pure), what the job reads
(``selectors``), what it writes and sends (``services``), and the Celery ``tasks`` that run it.
How each crash point is made safe: docs/reminders.md."""
