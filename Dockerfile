# One image for every Comanda service; docker-compose.yml picks the command per service.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY schema ./schema
COPY kafka ./kafka
RUN npm ci --omit=dev --ignore-scripts || npm ci --ignore-scripts
COPY scripts ./scripts
ENV HOST=0.0.0.0 LOG_LEVEL=info
