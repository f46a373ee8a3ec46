# One hub node. Build: docker build -t schoolhub .  Run: see docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs the root package's postinstall: it patches postgres.js (docs/ARCHITECTURE.md).
COPY storage/patch-postgres.mjs storage/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --if-present
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
# HUB_DATA_DIR: uploaded attachments (docker-compose.yml shares it between the nodes as a volume).
RUN mkdir -p /data && chown node:node /data
ENV HUB_DATA_DIR=/data
# Runs as the image's non-root user; with DATABASE_URL set no embedded PostgreSQL is started.
USER node
CMD ["node", "--import", "./hub/typescript/register.mjs", "hub/main.ts"]
