import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a forgotten variable must never serve DEBUG pages.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkstation.settings.production")
application = get_wsgi_application()
