# One image for every Comanda service; docker-compose.yml picks the command per service.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY schema ./schema
COPY kafka ./kafka
COPY clients ./clients
RUN npm ci --ignore-scripts
# the gateway serves the POS at /pos
RUN npm run build -w @comanda/pos
COPY scripts ./scripts
ENV HOST=0.0.0.0 LOG_LEVEL=info
