# One image for every Onsale role; the command picks the role (see docker-compose.yml).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The payment simulator's journal (compose mounts a volume here; a new volume takes this owner).
RUN chown node:node /app && mkdir -p /var/lib/payment-sim && chown node:node /var/lib/payment-sim
USER node
# Dependencies first, for layer caching. Dev dependencies stay: the roles run TypeScript with tsx.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node . .
EXPOSE 3000 3001 3002 3003
CMD ["npm", "run", "start:ingress"]
