# caucus: web client + relay in one small image. Same build steps as `make build`.
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY crates/model/templates crates/model/templates
COPY tests/fixtures tests/fixtures
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

FROM rust:1.90-bookworm AS rust
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p caucus

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data caucus \
    && mkdir -p /data && chown caucus /data
COPY --from=rust /src/target/release/caucus /usr/local/bin/caucus
COPY --from=web /src/web/dist /srv/web
USER caucus
ENV CAUCUS_LISTEN=0.0.0.0:8080 CAUCUS_DATA=/data CAUCUS_WEB_DIR=/srv/web
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["caucus"]
CMD ["serve"]
