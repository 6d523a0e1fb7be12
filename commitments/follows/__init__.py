"""Follow and be told: anyone can follow a State, a commitment or a prevention step by e-mail
(double opt-in, no account) and gets a daily or weekly digest of what happened. ``models``
(followers, follows, notices), ``sources`` (one per kind of event), ``selectors`` (reads),
``services`` (writes and the job), ``tasks`` (Celery). How it is sent exactly once:
docs/follows.md."""
