# amulet in a container, for CI jobs that unseal Portable entries:
#   docker build -t amulet .
#   docker run --rm -i -v "$PWD:/work" -w /work amulet unseal --passphrase-fd 0 API_KEY < passphrase.txt
# Locked entries do not open here: a container has no stable machine id of its own.
# NOTE: CI cannot build this image, because no container registry is reachable there.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN ln -s /app/bin/amulet.js /usr/local/bin/amulet
USER node
ENTRYPOINT ["amulet"]
CMD ["help"]
