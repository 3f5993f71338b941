"""The Celery app. Workers: `celery -A manskonts worker`; exactly one beat: `celery -A manskonts beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manskonts.settings")

app = Celery("manskonts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
