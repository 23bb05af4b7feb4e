# caucus: web client + relay in one small image. Same build steps as `make build`.
# Build: docker build -t caucus .   Run: see docker-compose.yml and deploy/README.md.

# 1. The web client (web/dist), as `make web-build` does it.
FROM node:20-bookworm-slim AS web
WORKDIR /src
# The build reads the analysis template, the catalogs and the schema fixture from outside web/.
COPY crates/model/templates crates/model/templates
COPY i18n i18n
COPY tests/fixtures tests/fixtures
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

# 2. The release binary, as `make build` does it. Only the Cargo workspace is copied, so a
# change to the web client or the docs does not rebuild Rust.
FROM rust:1.90-bookworm AS rust
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY i18n i18n
COPY crates crates
COPY tests tests
RUN cargo build --release --locked -p caucus \
    && strip target/release/caucus

# 3. Runtime: Debian slim (glibc, like the build stage), the binary, the web client and a bash
# health check. No curl: bash's /dev/tcp is already here, and curl would add libcurl, OpenSSL
# and CA certificates (~10 MB) for one local GET.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin caucus \
    && mkdir -p /data && chown caucus:caucus /data && chmod 700 /data
COPY --from=rust /src/target/release/caucus /usr/local/bin/caucus
COPY --from=web /src/web/dist /srv/web
COPY deploy/healthcheck.sh /usr/local/bin/caucus-healthcheck
USER caucus
WORKDIR /data
ENV CAUCUS_LISTEN=0.0.0.0:8080 CAUCUS_DATA=/data CAUCUS_WEB_DIR=/srv/web
# The redb file lives here; a named volume keeps it across upgrades (and copies the ownership).
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "/usr/local/bin/caucus-healthcheck"]
# caucus handles SIGTERM itself (finishes the commit in progress), so it can run as PID 1.
ENTRYPOINT ["caucus"]
CMD ["serve"]
