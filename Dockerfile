# One image recipe, two targets: `chatserver` (with ffmpeg) and `loadbalancer`.
# Multi-stage: the build stage has the dev tools; the runtime stages carry only what runs.

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.lb.json ./
COPY src ./src
COPY loadbalancer/src ./loadbalancer/src
COPY pages ./pages
COPY public ./public
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:26-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules

FROM runtime AS loadbalancer
COPY --from=build --chown=node:node /app/dist-lb ./dist-lb
USER node
EXPOSE 2000
CMD ["node", "dist-lb/loadbalancer/src/main.js"]

FROM runtime AS chatserver
# Debian's ffmpeg: the npm ffmpeg packages are optional and may be missing offline.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /app/data && chown node:node /app/data
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/public ./public
ENV DATA_DIR=/app/data FFMPEG_PATH=/usr/bin/ffmpeg
USER node
VOLUME ["/app/data"]
EXPOSE 80 8090 1935 34000-34099 34000-34099/udp 40000-40099/udp
CMD ["node", "dist/main.js"]
