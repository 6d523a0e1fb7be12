"""The project's settings for ``make bench-api``: as deployed (``APP_ENV=production``), with the
API's rate limits off so that wrk measures the work of a page, not the 429s."""

from config.settings import *  # noqa: F403

REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "downloads": None, "search": None},
}
