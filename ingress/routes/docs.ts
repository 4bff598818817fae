import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { openApiDocument } from '../openapi/document';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';

const require = createRequire(import.meta.url);
/** Swagger UI's files, shipped by the swagger-ui-dist package: the docs page needs no CDN. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Onsale API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const INIT =
  "window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n";
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/** `GET /v1/openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (Swagger UI over it). */
export function docsRouter() {
  const r = express.Router();
  const body = JSON.stringify(openApiDocument);
  registerRoute(r, '', ROUTES.openapi, (_req: Request, res: Response) => {
    res.type('application/json').set('Cache-Control', 'public, max-age=300').send(body);
    return Promise.resolve();
  });
  registerRoute(r, '', ROUTES.docs, (_req: Request, res: Response) => {
    // Swagger UI (React) sets inline style attributes: this page alone may use them; scripts stay same-origin.
    res.set('Content-Security-Policy', DOCS_CSP).type('text/html').send(PAGE);
    return Promise.resolve();
  });
  registerRoute(r, '', ROUTES.docsInit, (_req: Request, res: Response) => {
    res.type('text/javascript').send(INIT);
    return Promise.resolve();
  });
  r.use('/docs/assets', express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  return r;
}
