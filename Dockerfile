# wivcheck as a container (docs/deploy.md). Two stages: durable_rules, the rule engine's C core,
# publishes no wheels, so the build stage has a compiler and turns wivcheck and every dependency
# into wheels; the run stage installs those wheels only, without a compiler, and runs as a user
# without privileges. The decision log lives on a volume.
#
#   docker build -t wivcheck .
#   docker run -p 8000:8000 -v wivcheck-log:/var/lib/wivcheck \
#     -v ./tokens.yaml:/etc/wivcheck/tokens.yaml:ro wivcheck

# durable_rules 2.0.28 imports on Python 3.11 and 3.12 only (pyproject.toml)
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY policy ./policy
COPY engine ./engine
COPY api ./api
COPY rules ./rules
COPY examples ./examples
RUN pip install --no-cache-dir --upgrade pip wheel \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS run
RUN groupadd --system --gid 10001 wivcheck \
 && useradd --system --uid 10001 --gid wivcheck --home-dir /var/lib/wivcheck --no-create-home \
      --shell /usr/sbin/nologin wivcheck \
 && install -d -o wivcheck -g wivcheck -m 0750 /var/lib/wivcheck \
 && install -d -m 0755 /etc/wivcheck
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-index --find-links=/tmp/wheels wivcheck \
 && rm -rf /tmp/wheels
ENV WIVCHECK_DB=/var/lib/wivcheck/decisions.sqlite3 \
    WIVCHECK_TOKENS=/etc/wivcheck/tokens.yaml \
    WIVCHECK_LOG_FORMAT=json \
    WIVCHECK_HEALTHCHECK_URL=http://127.0.0.1:8000/readyz \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/wivcheck"]
USER wivcheck:wivcheck
WORKDIR /var/lib/wivcheck
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["wivcheck", "healthcheck"]
ENTRYPOINT ["wivcheck"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
