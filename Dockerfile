# One image for the web workers, the Celery workers and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN mkdir -p static/build \
 && npm run --silent build:css \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/build/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 1000 manskonts
WORKDIR /app
# The runtime dependencies alone, exactly as locked (every file's hash checked): no pgserver, no
# test or lint tools. `make lock` rewrites the lock after a change to pyproject.toml.
COPY requirements/prod.lock ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/prod.lock
COPY . .
COPY --from=assets /src/static/build ./static/build
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput \
 && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py compilemessages --ignore=node_modules
USER manskonts
EXPOSE 8000
# Bind, workers and the access log (path only: no query string, no referer) in gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "manskonts.wsgi:application"]
