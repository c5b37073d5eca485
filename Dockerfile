# The production image, in stages: Python packages from requirements/prod.txt (hashes checked), the
# front-end libraries from the npm registry (integrity checked, no Node.js), static files collected
# once here; the runtime stage holds the virtualenv, the code and the static files, runs as a user
# without privileges. The `proxy` target is nginx with the same static files.
# Bases are build arguments: the official images by default; `make compose-smoke` passes local
# images built from Debian's packages (deploy/base/) where no registry is reachable.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.27-bookworm

FROM ${PYTHON_IMAGE} AS packages
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements/prod.txt /tmp/prod.txt
RUN /opt/venv/bin/pip install --quiet --require-hashes --no-deps -r /tmp/prod.txt

FROM ${PYTHON_IMAGE} AS static
COPY --from=packages /opt/venv /opt/venv
WORKDIR /app
COPY package-lock.json deploy/fetch_assets.py ./
RUN python fetch_assets.py .
COPY . .
# Settings need production values to load; none of these is used by collectstatic.
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=collectstatic DJANGO_ALLOWED_HOSTS=build.invalid \
    MFA_ENCRYPTION_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= SITE_URL=https://build.invalid \
    DATABASE_URL=sqlite:///:memory: STATIC_ROOT=/app/staticfiles \
    /opt/venv/bin/python manage.py collectstatic --noinput -v 0

FROM ${PYTHON_IMAGE} AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media MATERIALS_ROOT=/data/materials \
    CHATS_ROOT=/data/chats SUPPORT_ROOT=/data/support
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home sferum \
    && mkdir -p /data/media /data/materials /data/chats /data/support /data/backups && chown -R sferum:sferum /data
COPY --from=packages /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root . .
COPY --from=static /app/staticfiles /app/staticfiles
USER sferum
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["python", "deploy/healthcheck.py", "/healthz"]
CMD ["gunicorn", "sferum_admin.wsgi:application", "--config", "deploy/gunicorn.conf.py"]

FROM ${NGINX_IMAGE} AS proxy
RUN rm -f /etc/nginx/conf.d/default.conf
COPY deploy/nginx/sferum.conf.template /etc/nginx/sferum.conf.template
COPY deploy/nginx/entrypoint.sh /usr/local/bin/sferum-proxy
COPY --from=static /app/staticfiles /srv/static
ENTRYPOINT ["/usr/local/bin/sferum-proxy"]
CMD ["nginx", "-g", "daemon off;"]
