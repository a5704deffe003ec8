# The `scs` Sonobuoy plugin image: Node 22 runs the TypeScript sources natively (type stripping), so
# there is no build step; the entrypoint is the plugin runner (plugin/main.ts).
# Base image pinned by tag to the Node version in .node-version; pin the digest when the image is
# first built and pushed (no registry is reachable from the development machines to look it up).
ARG NODE_IMAGE=docker.io/library/node:22.23.3-alpine3.22

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Type declarations and source maps are half of node_modules (mostly @kubernetes/client-node's generated
# code) and nothing reads them at run time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

FROM ${NODE_IMAGE}
# The runtime needs node only: drop npm, npx, corepack and yarn (smaller, fewer CVEs to report).
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY common ./common
COPY suites ./suites
COPY runner ./runner
COPY plugin ./plugin
ENV NODE_ENV=production
# Non-root, numeric so that runAsNonRoot can verify it (sonobuoy.yaml uses the same uid).
USER 65532:65532
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "/app/plugin/main.ts"]
