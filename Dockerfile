# One image for the web server, the Celery worker and the scheduler (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The pinned runtime dependencies first, in a layer of their own: code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected at build time and served by WhiteNoise with hashed names (no CDN).
# The throwaway key only lets settings load; the real one comes from the env file at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost DJANGO_STATIC_MANIFEST=1 \
        python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 10001 --home /app portal \
    && chown -R portal /app/.local

USER portal
ENV DJANGO_STATIC_MANIFEST=1
EXPOSE 8000

# Migrations run before gunicorn starts; the worker and beat services override the command.
# Workers x threads bounds the web container's database connections (README, "Database connections").
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn billing_portal.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --threads ${GUNICORN_THREADS:-4} --access-logfile - --forwarded-allow-ips '*'"]
