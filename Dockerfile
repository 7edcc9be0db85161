# Shangju broker image: a build stage with the compiler and -dev packages,
# and a runtime stage with only the programs (the broker, the CLI and the
# public web front shangju-web) and their shared libraries, running as the
# non-root user `shangju` with the store and keys in a volume.
#
#   docker build --network=host -t shangju .        (or: docker compose build)
#   podman build --network=host --format docker -t shangju .
#
# (--format docker keeps the HEALTHCHECK, which the OCI format drops.)

# ---- Debian packages: the one place to add a library ------------------------
# A new library needs its -dev package in BUILD_PACKAGES and its runtime
# package in RUNTIME_PACKAGES (tests are not built here: -DSJ_TESTS=OFF).
# Second lines: QR
# codes and printable placards (qrencode, libpng, cairo, pango + a CJK font);
# libmicrohttpd: the web front.
ARG BUILD_PACKAGES="gcc libc6-dev make cmake pkg-config protobuf-c-compiler \
    libzmq3-dev libprotobuf-c-dev liblmdb-dev libjson-c-dev libsodium-dev \
    libqrencode-dev libpng-dev libcairo2-dev libpango1.0-dev \
    libstrophe-dev libglib2.0-dev libmicrohttpd-dev libunistring-dev gettext \
    help2man libxml2-dev libssl-dev libcurl4-openssl-dev"
# The chat bridge (target `bridge`) and the demo XMPP server; WeChat /
# WeCom: libmicrohttpd for the callback, libcurl for the APIs.
ARG BRIDGE_PACKAGES="libzmq5 libprotobuf-c1 libsodium23 libjson-c5 \
    libstrophe0 libglib2.0-0 ca-certificates \
    libmicrohttpd12 libcurl4 libxml2 libssl3"
ARG RUNTIME_PACKAGES="libzmq5 libprotobuf-c1 liblmdb0 libjson-c5 libsodium23 lmdb-utils \
    libqrencode4 libpng16-16 libcairo2 libpango-1.0-0 libpangocairo-1.0-0 \
    fonts-wqy-microhei tzdata libunistring2 \
    libmicrohttpd12"
ARG SHANGJU_UID=10001

# ---- build -----------------------------------------------------------------
FROM debian:bookworm-slim AS build
ARG BUILD_PACKAGES
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ${BUILD_PACKAGES} \
    && apt-get clean && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSJ_TESTS=OFF -DSJ_DESK=OFF \
    && cmake --build /build -j2 --target shangju-broker shangju shangju-chat \
        shangju-web translations \
    && install -D -m 0755 /build/broker/shangju-broker /out/shangju-broker \
    && install -D -m 0755 /build/clients/shangju /out/shangju \
    && install -D -m 0755 /build/clients/shangju-chat /out/shangju-chat \
    && install -D -m 0755 /build/clients/shangju-web /out/shangju-web \
    && cp -r /build/locale /out/locale

# ---- the chat bridge (docker compose --profile demo) -----------------------
FROM debian:bookworm-slim AS bridge
ARG BRIDGE_PACKAGES
ARG SHANGJU_UID
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ${BRIDGE_PACKAGES} \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid "${SHANGJU_UID}" shangju \
    && useradd --system --uid "${SHANGJU_UID}" --gid shangju \
        --home-dir /var/lib/shangju --no-create-home \
        --shell /usr/sbin/nologin shangju \
    && install -d -o shangju -g shangju -m 700 /var/lib/shangju-wechat
COPY --from=build /out/shangju-chat /usr/local/bin/
COPY --from=build /out/locale/ /usr/local/share/locale/
ENV SHANGJU_LOCALEDIR=/usr/local/share/locale \
    SHANGJU_DATA=/var/lib/shangju LANG=C.UTF-8
USER shangju
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/shangju-chat"]

# ---- a throwaway XMPP server for the demo profile --------------------------
FROM debian:bookworm-slim AS prosody-demo
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        prosody \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && install -d -o prosody -g prosody /run/shangju-xmpp /var/run/prosody
COPY docker/prosody-demo.cfg.lua /etc/prosody/prosody.cfg.lua
COPY docker/prosody-demo.sh /usr/local/bin/prosody-demo.sh
USER prosody
EXPOSE 5222
ENTRYPOINT ["/usr/local/bin/prosody-demo.sh"]

# ---- runtime (the default target: keep it last) ------------------------------
FROM debian:bookworm-slim AS runtime
ARG RUNTIME_PACKAGES
ARG SHANGJU_UID
LABEL org.opencontainers.image.title="shangju" \
      org.opencontainers.image.description="Shangju: the broker of a merchant-resident alliance (商居联盟)" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ${RUNTIME_PACKAGES} \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid "${SHANGJU_UID}" shangju \
    && useradd --system --uid "${SHANGJU_UID}" --gid shangju \
        --home-dir /var/lib/shangju --no-create-home \
        --shell /usr/sbin/nologin shangju \
    && install -d -m 0700 -o shangju -g shangju /var/lib/shangju \
        /var/lib/shangju/backups /var/lib/shangju-web

COPY --from=build /out/shangju-broker /out/shangju /out/shangju-web \
    /usr/local/bin/
COPY --from=build /out/locale/ /usr/local/share/locale/
COPY packaging/docker/entrypoint.sh /usr/local/bin/shangju-entrypoint
COPY packaging/docker/web-key.sh /usr/local/bin/shangju-web-key
COPY packaging/docker/web-health.sh /usr/local/bin/shangju-web-health
COPY packaging/docker/web-start.sh /usr/local/bin/shangju-web-start

# SHANGJU_DATA serves the broker and `shangju` run inside the container
# (`docker compose exec broker shangju ping`). The broker binds every
# interface of the container; the CLI connecting to 0.0.0.0 reaches it too.
ENV TZ=Asia/Shanghai \
    SHANGJU_DATA=/var/lib/shangju \
    SHANGJU_REQUESTS=tcp://0.0.0.0:7400 \
    SHANGJU_EVENTS=tcp://0.0.0.0:7401
VOLUME ["/var/lib/shangju"]
WORKDIR /var/lib/shangju
# Numeric, so a runtime can tell it is not root without reading /etc/passwd.
USER ${SHANGJU_UID}:${SHANGJU_UID}
# 8080: the web front, when the container runs shangju-web (compose `web`).
EXPOSE 7400 7401 8080

# A real request through the broker, signed with the monitor key that
# `shangju-broker init --monitor` wrote into the volume (the entrypoint's
# SHANGJU_INIT=1 start): the monitor role reads statistics and nothing
# else, so the check holds no committee power. 4 attempts of 1 s at most.
HEALTHCHECK --interval=10s --timeout=6s --start-period=10s --retries=3 \
    CMD ["shangju", "--data", "/var/lib/shangju", \
         "--key", "/var/lib/shangju/monitor.key", \
         "--requests", "tcp://127.0.0.1:7400", "--timeout", "1000", \
         "admin", "stats"]

# The broker is PID 1 (the entrypoint execs it) and handles SIGTERM itself:
# it finishes and commits the batch in progress, answers it, and exits 0.
# `docker run -e SHANGJU_INIT=1 IMAGE --demo` initialises an empty volume
# (with the demo) and passes the options to the broker; `docker run IMAGE
# shangju ping` runs another command (packaging/docker/entrypoint.sh).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/shangju-entrypoint"]
