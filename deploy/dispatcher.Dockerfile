# The Kafka -> detect dispatcher as a container for a Cloud Run worker pool (built by deploy.sh through
# deploy/dispatcher.cloudbuild.yaml; build context = repository root, filtered by .gcloudignore).
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/functions/dispatcher/main.js"]
