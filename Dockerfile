# syntax=docker/dockerfile:1
# The Parley server and the web app it serves, for one node or several (compose.yaml).
#   docker build -t parley .
#   docker run -p 8080:8080 -v parley-data:/data parley
ARG NODE_IMAGE=node:20-bookworm-slim

# Compilers, for native modules (better-sqlite3) where no prebuilt binary matches.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Electron is a development dependency of the desktop app: its binary is never needed here.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
# Every workspace's package.json, so the lockfile matches the project.
COPY package.json package-lock.json .npmrc ./
COPY protocol/package.json protocol/
COPY server/package.json server/
COPY renderer/package.json renderer/
COPY main/package.json main/
COPY preload/package.json preload/

# Build: every dependency, then the protocol and the server (tsc) and the web app (vite).
FROM toolchain AS build
RUN npm ci
COPY tsconfig.base.json ./
COPY protocol protocol
COPY server server
COPY renderer renderer
RUN npx tsc -b protocol server && npx vite build renderer --logLevel warn

# What the server needs at run time: the production dependencies of server/ and protocol/.
FROM toolchain AS deps
RUN npm ci --omit=dev --workspace server --workspace protocol

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8080 \
  PARLEY_DATA_DIR=/data \
  PARLEY_WEB_DIR=/app/renderer/dist
# Its own user, and the folders it writes: the data folder (the SQLite database when there is
# no DATABASE_URL) and /media, for PARLEY_MEDIA_DIR when several nodes share one volume.
RUN groupadd --system parley \
  && useradd --system --gid parley --home-dir /data --no-create-home --shell /usr/sbin/nologin parley \
  && mkdir -p /data /media \
  && chown parley:parley /data /media
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/renderer/dist renderer/dist
USER parley
VOLUME ["/data"]
EXPOSE 8080
# Liveness: the process answers. A proxy or an orchestrator reads /readyz for readiness.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains the node (PARLEY_SHUTDOWN_TIMEOUT_MS, 10 s by default) before it exits.
STOPSIGNAL SIGTERM
CMD ["node", "server/dist/main.js"]
