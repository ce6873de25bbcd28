# Trove's API image. nginx (see docker-compose.yml) serves the web app and
# passes /api/ to this container.

# The API reference page's files (Swagger UI), from npm, pinned by the lock.
FROM node:20.20.2-bookworm-slim AS docs-ui
WORKDIR /ui
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev

FROM python:3.11.7-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11.7-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/backend \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TROVE_ENV=production \
    TROVE_HOST=0.0.0.0 \
    TROVE_PORT=8000 \
    TROVE_VAR_DIR=/var/lib/trove
RUN useradd --system --uid 10001 --home-dir /var/lib/trove --create-home trove
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY openapi.yaml ./
COPY backend ./backend
COPY --from=docs-ui /ui/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
     /ui/node_modules/swagger-ui-dist/swagger-ui.css \
     /ui/node_modules/swagger-ui-dist/LICENSE \
     /ui/node_modules/swagger-ui-dist/NOTICE \
     ./backend/trove/data/docs/swagger-ui/
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]
ENTRYPOINT ["python", "-m", "trove"]
CMD ["serve", "--migrate"]
