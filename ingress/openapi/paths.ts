import { z } from 'zod';
import { jsonSchemaOf, openApiPath, type ResponseSpec, type RouteContract } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { obj, operation, uuid, type Json } from './operation';

/**
 * `paths` of the OpenAPI document: the few operations still written by hand (health and metrics),
 * then every route of the route table (ingress/http/routes.ts), generated from its contract.
 */
export const paths: Record<string, Record<string, Json>> = {
  '/healthz': {
    get: operation('healthz', {
      tags: ['health'],
      summary: 'Liveness: the process answers.',
      ok: { '200': { description: 'Alive.', schema: obj({ status: { const: 'ok' } }) } },
      errors: [],
    }),
  },
  '/readyz': {
    get: operation('readyz', {
      tags: ['health'],
      summary: 'Readiness: PostgreSQL, Redis and RabbitMQ answer, and the process is not shutting down.',
      ok: {
        '200': {
          description: 'Ready.',
          schema: obj({
            status: { type: 'string' },
            checks: { type: 'object', additionalProperties: { type: 'string' } },
          }),
        },
        '503': {
          description: 'Not ready (a check failed, or shutting down); `checks` says which.',
          schema: obj({ status: { type: 'string' }, checks: { type: 'object' } }),
        },
      },
      errors: [],
    }),
  },
  '/metrics': {
    get: operation('metrics', {
      tags: ['health'],
      summary: 'Prometheus metrics (text exposition format).',
      ok: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      errors: [],
    }),
  },

  // ---------- accounts ----------
};

/** The OpenAPI operation of a route-table contract: bodies and responses from its zod schemas. */
function fromContract(c: RouteContract): Json {
  const schemaOf = (x: ResponseSpec['schema']) =>
    x === undefined ? undefined : x instanceof z.ZodType ? jsonSchemaOf(x) : x;
  const queryProps = c.query ? ((jsonSchemaOf(c.query).properties ?? {}) as Record<string, Json>) : {};
  const queryRequired = c.query ? ((jsonSchemaOf(c.query).required ?? []) as string[]) : [];
  return operation(c.operationId, {
    tags: [...c.tags],
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    ...(c.roles ? { roles: c.roles } : {}),
    params: [
      ...Object.entries(c.params ?? {}).map(([name, description]) => ({
        name,
        in: 'path' as const,
        schema: uuid,
        description,
      })),
      ...Object.entries(queryProps).map(([name, schema]) => ({
        name,
        in: 'query' as const,
        schema,
        required: queryRequired.includes(name),
      })),
      ...(c.headers ?? []).map((h) => ({ ...h, in: 'header' as const })),
    ],
    ...(c.body
      ? { body: jsonSchemaOf(c.body) }
      : c.rawBody
        ? { body: { ...c.rawBody.schema, description: c.rawBody.description } }
        : {}),
    ok: Object.fromEntries(
      Object.entries(c.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.headers ? { headers: r.headers } : {}),
          ...(r.content ? { content: r.content } : {}),
          ...(r.schema ? { schema: schemaOf(r.schema) } : {}),
        },
      ]),
    ),
    errors: [...c.errors],
  });
}

// Routes of the route table, generated; they must not also be written by hand above.
for (const c of Object.values(ROUTES) as RouteContract[]) {
  const path = openApiPath(c.path);
  if (paths[path]?.[c.method]) throw new Error(`${c.method} ${path} is both in the route table and written by hand`);
  paths[path] = { ...paths[path], [c.method]: fromContract(c) };
}
