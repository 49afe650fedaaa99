# One image for the servers, the worker and the demo inbox. TypeScript runs through tsx, as in
# development, so the image keeps the dev dependencies (tsx is one of them).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is cached until the lock file changes.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY widget/package.json widget/
COPY operator-console/package.json operator-console/
RUN npm ci --no-audit --no-fund
COPY . .
# The widget and console bundles the server serves.
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only for the app user: the running process cannot change its own code.
COPY --from=build /app /app
USER node
EXPOSE 8080
# No HEALTHCHECK here: the worker and the inbox use this image too. docker-compose.yml gives the
# servers theirs, on /readyz.
CMD ["node", "--import", "tsx", "server/src/main.ts"]
