"""When the queued activation job runs (Beijing time), read by both its crontab
(pawpact.config.schedules) and the activation schedule every page shows: a WeChat notice
not yet sent goes out at the job's next run, so the promised days follow these times."""

QUEUED_ACTIVATION_HOURS = tuple(range(7, 22))  # within WeChat's 07:00–22:00
QUEUED_ACTIVATION_MINUTES = (20, 50)
