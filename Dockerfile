# syntax=docker/dockerfile:1
# The image of a Wharf service: one build runs every role (`wharf start` serves the API;
# add --schedule, --consume or --workers auto as the command's arguments).
#
# Wharf runs its TypeScript sources through tsx (bin/wharf.js adds the `source` export
# condition inside this repository), so the image needs no compiled output to run. Here it
# runs the users example through deploy/apps/users.ts; WHARF_ENTRY=deploy/apps/cities.ts or
# deploy/apps/roles.ts runs another one (see docs/deploy.md). A service of its own keeps its
# entry module at src/main.ts, the CLI's default, and drops the WHARF_ENTRY line.
#
#   docker build -t wharf-example .
#   docker run --rm -p 8080:8080 wharf-example

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
# Compiling src/ fails the build on a type error; dist/ is what `wharf` resolves to
# without the source condition.
RUN npm run build

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY deploy/apps ./deploy/apps
ENV WHARF_ENTRY=deploy/apps/users.ts
# The official image's unprivileged user (uid 1000); the files stay root-owned, read-only to it.
USER node
EXPOSE 8080
# Slim images have no curl: Node's own fetch asks the liveness route.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || process.env.WHARF_HTTP_PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1, so SIGTERM from `docker stop` or Kubernetes starts the graceful shutdown.
CMD ["node", "bin/wharf.js", "start"]
