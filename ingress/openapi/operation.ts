import { ERRORS, type ErrorCode } from '../../shared/errors';

/*
 * Builders for the OpenAPI document (ingress/openapi/document.ts): JSON Schema shorthands, and
 * `operation`, which adds the error answers every operation shares (from the error registry).
 */

export type Json = Record<string, unknown>;
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: Json) => ({ 'application/json': { schema } });
export const uuid = { type: 'string', format: 'uuid' };
export const dateTime = { type: 'string', format: 'date-time' };
export const money = {
  type: 'number',
  minimum: 0,
  maximum: 1_000_000,
  multipleOf: 0.01,
  description: 'Currency units (79.5), two decimals at most.',
};
export const nullable = (schema: Json) => ({ oneOf: [schema, { type: 'null' }] });
export const obj = (properties: Json, required: string[] = [], extra: Json = {}) => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
export const strict = (properties: Json, required: string[] = [], extra: Json = {}) =>
  obj(properties, required, { additionalProperties: false, ...extra });
export const arrayOf = (items: Json, extra: Json = {}) => ({ type: 'array', items, ...extra });

/** Codes any route may answer, whatever it does. */
const ALWAYS: ErrorCode[] = ['internal_error', 'shutting_down'];

interface Op {
  tags: string[];
  summary: string;
  description?: string;
  /** Roles that may call it; empty = any valid token; undefined = public. */
  roles?: readonly string[];
  params?: Array<{
    name: string;
    in: 'path' | 'query' | 'header';
    schema: Json;
    description?: string;
    required?: boolean;
  }>;
  body?: Json;
  bodyRequired?: boolean;
  ok: Record<string, { description: string; schema?: Json; content?: Json; headers?: Json }>;
  errors: ErrorCode[];
}

/** One OpenAPI operation: its responses, with every error code it may answer grouped by HTTP status. */
export function operation(id: string, o: Op): Json {
  const errors = [
    ...new Set([
      ...o.errors,
      ...ALWAYS,
      ...(o.roles ? (['unauthorized', ...(o.roles.length ? ['forbidden'] : [])] as ErrorCode[]) : []),
      ...(o.body ? (['invalid_json', 'unsupported_media_type', 'payload_too_large'] as ErrorCode[]) : []),
      ...(o.body || o.params ? (['invalid_characters'] as ErrorCode[]) : []),
    ]),
  ];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errors) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  const responses: Json = {};
  for (const [status, r] of Object.entries(o.ok)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.content ? { content: r.content } : r.schema ? { content: json(r.schema) } : {}),
    };
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = {
      description: `Error; \`error.code\` is one of: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      'x-error-codes': codes,
      ...(status === 429 || status === 503
        ? {
            headers: {
              'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' },
            },
          }
        : {}),
      content: json({ allOf: [ref('Error')], properties: { error: { properties: { code: { enum: codes } } } } }),
    };
  }
  return {
    operationId: id,
    tags: o.tags,
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    ...(o.roles ? { security: [{ bearer: [] }], 'x-roles': o.roles.length ? o.roles : ['any'] } : { security: [] }),
    ...(o.params
      ? { parameters: o.params.map((p) => ({ ...p, required: p.in === 'path' ? true : (p.required ?? false) })) }
      : {}),
    ...(o.body ? { requestBody: { required: o.bodyRequired ?? true, content: json(o.body) } } : {}),
    responses,
  };
}
