"""gunicorn's settings for production (the Dockerfile and docker-compose run `gunicorn -c
gunicorn.conf.py manskonts.wsgi:application`); command-line options and GUNICORN_CMD_ARGS override.

The access log names the path, never the query string or the referer: list filters and admin
searches carry personal codes, cadastral designations and order numbers in the query
(/admin/accounts/user/?q=120585-12340), and the referer is the previous page's whole URL. So the
format has %(U)s (the path alone) where the common format has %(r)s (the request line), and no
%(q)s or %(f)s. tests/security/test_access_log.py reads this file and runs gunicorn with it.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn itself reads WEB_CONCURRENCY for the number of workers when this line is absent; kept
# explicit so the default is written here.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
# address, time, "METHOD /path", status, bytes, duration, request id, user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}i)s "%(a)s"'
errorlog = "-"
