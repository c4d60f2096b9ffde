# The analysts' console as a container for a Cloud Run service (built by deploy.sh through
# deploy/console.cloudbuild.yaml; build context = repository root, filtered by .gcloudignore). The image holds
# what `npm run build` puts in dist/ and the production dependencies: the server and its static front end must
# both be in dist/ after the build. Cloud Run sends requests to $PORT (8080).
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
CMD ["node", "dist/console/server.js"]
