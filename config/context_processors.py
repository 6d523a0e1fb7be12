from django.conf import settings

from commitments.selectors import demo_data_present


def site(request):
    """Values every page needs: whether demonstration data is loaded (the notice on every
    page), and the site's public address."""
    return {"DEMO_DATA_PRESENT": demo_data_present(), "SITE_URL": settings.SITE_URL}
