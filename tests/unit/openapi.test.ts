import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { redisKeys } from '../../shared/redis/keys';
import { createApp } from '../../ingress/app';
import type { IngressContext } from '../../ingress/context';
import { DOCUMENTED_ERROR_CODES, openApiDocument } from '../../ingress/openapi/document';

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every (method, path) the Express app serves, paths in OpenAPI form (`/v1/events/{id}`). */
function servedRoutes(): Set<string> {
  // Routers only close over the context when built; nothing here connects anywhere.
  const ctx = { config: loadConfig({}), pool: {}, redis: {}, keys: redisKeys('x:'), broker: {}, logger: createLogger('test', 'error') } as unknown as IngressContext;
  const app = createApp(ctx, { shuttingDown: false }) as unknown as { router: { stack: Layer[] } };
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) out.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(app.router.stack);
  return out;
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(openApiDocument.openapi).toBe('3.1.0');
    const result = await new Validator().validate(JSON.parse(JSON.stringify(openApiDocument)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every error code of the registry in its ErrorCode enum, and no other', () => {
    const documented = (openApiDocument.components.schemas.ErrorCode as { enum: string[] }).enum;
    expect([...documented].sort()).toEqual(Object.keys(ERRORS).sort());
    expect(new Set(DOCUMENTED_ERROR_CODES).size).toBe(DOCUMENTED_ERROR_CODES.length);
  });

  it('documents each error response under the status the registry gives its code', () => {
    for (const [path, ops] of Object.entries(openApiDocument.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries((op as { responses: Record<string, { 'x-error-codes'?: string[] }> }).responses)) {
          for (const code of response['x-error-codes'] ?? []) {
            expect(ERRORS[code as keyof typeof ERRORS], `${method} ${path}: ${code}`).toBeDefined();
            expect(String(ERRORS[code as keyof typeof ERRORS].status), `${method} ${path}: ${code}`).toBe(status);
          }
        }
      }
    }
  });

  it('documents every route the ingress serves, and no route it does not', () => {
    const served = servedRoutes();
    const documented = new Set(Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...served].filter((r) => !documented.has(r)), 'served but not documented').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'documented but not served').toEqual([]);
  });
});
