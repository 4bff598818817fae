import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { redisKeys } from '../../shared/redis/keys';
import { createApp } from '../../ingress/app';
import type { IngressContext } from '../../ingress/context';
import { DOCUMENTED_ERROR_CODES, openApiDocument } from '../../ingress/openapi/document';
import { jsonSchemaOf, openApiPath, type RouteContract } from '../../ingress/http/route-table';
import { ROUTES } from '../../ingress/http/routes';
import { BOOKING_STATUSES } from '../../shared/contracts/messages';

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every (method, path) the Express app serves, paths in OpenAPI form (`/v1/events/{id}`). */
function servedRoutes(): Set<string> {
  // Routers only close over the context when built; nothing here connects anywhere.
  const ctx = {
    config: loadConfig({}),
    pool: {},
    redis: {},
    keys: redisKeys('x:'),
    broker: {},
    logger: createLogger('test', 'error'),
  } as unknown as IngressContext;
  const app = createApp(ctx, { shuttingDown: false }) as unknown as { router: { stack: Layer[] } };
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          out.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
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
        for (const [status, response] of Object.entries(
          (op as { responses: Record<string, { 'x-error-codes'?: string[] }> }).responses,
        )) {
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
    const documented = new Set(
      Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    expect(
      [...served].filter((r) => !documented.has(r)),
      'served but not documented',
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !served.has(r)),
      'documented but not served',
    ).toEqual([]);
  });

  type Schema = {
    type?: string;
    properties?: Record<string, Schema>;
    required?: string[];
    additionalProperties?: unknown;
    items?: Schema;
    maxLength?: number;
    maximum?: number;
    minimum?: number;
    multipleOf?: number;
    enum?: unknown[];
  };
  const op = (path: string, method: string) =>
    (
      openApiDocument.paths as Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: { 'application/json': { schema: Schema } } };
            responses: Record<string, { content?: { 'application/json': { schema: Schema } } }>;
          }
        >
      >
    )[path]![method]!;
  const bodyOf = (path: string, method: string) => op(path, method).requestBody!.content['application/json'].schema;

  it('documents every route-table body exactly as its zod schema validates it', () => {
    for (const c of Object.values(ROUTES) as RouteContract[]) {
      const documented = op(openApiPath(c.path), c.method);
      if (c.body)
        expect(documented.requestBody!.content['application/json'].schema, c.operationId).toEqual(jsonSchemaOf(c.body));
      else if (!c.rawBody) expect(documented.requestBody, c.operationId).toBeUndefined();
    }
  });

  it('leaves by hand only the health routes that every role serves (shared/http/health.ts)', () => {
    const tablePaths = new Set(
      (Object.values(ROUTES) as RouteContract[]).map((c) => `${c.method} ${openApiPath(c.path)}`),
    );
    const byHand = Object.entries(openApiDocument.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .filter((r) => !tablePaths.has(r));
    expect(byHand.sort()).toEqual(['get /healthz', 'get /metrics', 'get /readyz']);
  });

  it('gives the reprice body its fields, limits and no other property', () => {
    const body = bodyOf('/v1/events/{id}/prices', 'put');
    expect(body.additionalProperties).toBe(false);
    const section = body.properties!.sections!.items!;
    expect(section.required).toEqual(['name', 'price']);
    expect(section.additionalProperties).toBe(false);
    expect(section.properties!.name!.maxLength).toBe(40);
    expect(section.properties!.price).toMatchObject({ minimum: 0, maximum: 1_000_000, multipleOf: 0.01 });
    expect(body.properties!.general_admission).toMatchObject({ required: ['price'], additionalProperties: false });
  });

  it('gives the add-inventory body its maximum', () => {
    const body = bodyOf('/v1/events/{id}/inventory', 'post');
    expect(body.additionalProperties).toBe(false);
    expect(body.properties!.general_admission!.properties!.capacity).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10_000_000,
    });
  });

  it('gives BookingRequest the limits zod applies, and no others', () => {
    const body = bodyOf('/v1/bookings', 'post');
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['event_id']);
    expect(body.properties!.section!.maxLength).toBe(40);
    expect(body.properties!.price_tier!.maxLength).toBe(40);
    expect(body.properties!.quantity!.minimum).not.toBe(1); // zod checks the range in the handler (quantity_out_of_range), not the schema
    expect(body.properties!.max_price!.multipleOf).toBeUndefined();
    expect(body.properties!.seat_ids).toMatchObject({ minItems: 1, maxItems: 100, items: { maxLength: 64 } });
  });

  it('takes booking status values from the contract', () => {
    const accepted = op('/v1/bookings', 'post').responses['202']!.content!['application/json'].schema;
    expect(accepted.properties!.status!.enum).toEqual([...BOOKING_STATUSES]);
    expect((openApiDocument.components.schemas as Record<string, Schema>).Booking!.properties!.status!.enum).toEqual([
      ...BOOKING_STATUSES,
    ]);
  });
});
