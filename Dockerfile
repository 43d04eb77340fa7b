# forumbot: `docker build -t forumbot .` then see compose.yaml for a production-like run.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in a layer of their own, so a code change rebuilds in seconds.
COPY pyproject.toml README.md ./
RUN mkdir -p bot jobs templates \
 && touch bot/__init__.py jobs/__init__.py \
 && pip install . \
 && pip uninstall --yes forumbot \
 && rm -rf bot jobs templates

COPY bot ./bot
COPY jobs ./jobs
COPY templates ./templates
COPY config ./config
RUN pip install --no-deps . \
 && useradd --create-home --uid 10001 forumbot \
 && mkdir -p /app/data \
 && chown forumbot /app/data

USER forumbot
ENV FORUMBOT_DATA_DIR=/app/data \
    FORUMBOT_WEB_HOST=0.0.0.0 \
    FORUMBOT_WEB_PORT=8000 \
    FORUMBOT_CONFIG_FILE=/app/config/forumbot.toml
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["forumbot", "serve"]
