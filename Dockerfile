# One image for the servers, the worker and the demo inbox. Node 24 strips the TypeScript
# types itself, so the image needs no loader and ships without the dev dependencies.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is cached until the lock file changes.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY widget/package.json widget/
COPY operator-console/package.json operator-console/
# The dependency patches (patches/README.md), applied by the postinstall of both installs below.
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY . .
# The widget and console bundles the server serves.
RUN npm run build
# What runs: the production dependencies only.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only for the app user: the running process cannot change its own code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/shared shared
COPY --from=build /app/server server
COPY --from=build /app/scripts scripts
COPY --from=build /app/widget/dist widget/dist
COPY --from=build /app/widget/demo widget/demo
COPY --from=build /app/widget/package.json widget/
COPY --from=build /app/operator-console/dist operator-console/dist
COPY --from=build /app/operator-console/package.json operator-console/
USER node
EXPOSE 8080
# No HEALTHCHECK here: the worker and the inbox use this image too. docker-compose.yml gives the
# servers theirs, on /readyz.
CMD ["node", "server/src/main.ts"]
