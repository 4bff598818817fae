import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../../shared/auth';
import type { ErrorCode } from '../../shared/errors';
import { requireAuth } from '../middleware/auth';
import { parseOr400 } from '../middleware/errors';

type Json = Record<string, unknown>;

/** A response of a route: a zod schema (turned into JSON Schema) or, for shapes zod does not own yet, JSON Schema. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType | Json;
  content?: Json;
  headers?: Json;
}

/**
 * One HTTP contract: everything the OpenAPI document says about a route and everything Express needs
 * to guard it, in one place. `registerRoute` mounts it (auth by `roles`, body and query parsed with
 * the same zod schemas) and `routeOperation` documents it, so the two cannot drift.
 */
export interface RouteContract<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express form (`/v1/events/:id/prices`); documented as `/v1/events/{id}/prices`. */
  path: string;
  operationId: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  /** Roles that may call it; `[]` = any valid token; absent = public. */
  roles?: readonly Role[];
  /** Path parameters (all UUIDs), with a description each. */
  params?: Readonly<Record<string, string>>;
  /** Request headers worth documenting. */
  headers?: ReadonlyArray<{ name: string; schema: Json; description: string }>;
  body?: B;
  /** A body the handler reads itself (a signed raw body): documented, not parsed by the route. */
  rawBody?: { description: string; schema: Json };
  query?: Q;
  responses: Readonly<Record<string, ResponseSpec>>;
  /** Error codes the handler itself may answer (auth, body and framework codes are added). */
  errors: readonly ErrorCode[];
}

/** What a handler receives: its body and query already parsed by the contract's schemas. */
export interface Parsed<C extends RouteContract> {
  body: C['body'] extends z.ZodType ? z.output<C['body']> : undefined;
  query: C['query'] extends z.ZodType ? z.output<C['query']> : undefined;
}

export type RouteHandler<C extends RouteContract> = (req: Request, res: Response, input: Parsed<C>) => Promise<void>;

/**
 * Mounts a contract on a router: authentication and roles, then any extra middleware (rate limits),
 * then the handler with the parsed body and query. A body or query that does not fit is `400
 * validation_failed`, listing each problem.
 */
export function registerRoute<C extends RouteContract>(
  router: Router,
  jwtSecret: string,
  contract: C,
  handler: RouteHandler<C>,
  ...middleware: RequestHandler[]
): void {
  const guards: RequestHandler[] = contract.roles ? [requireAuth(jwtSecret, ...contract.roles)] : [];
  router[contract.method](
    contract.path,
    ...guards,
    ...middleware,
    (req: Request, res: Response, next: NextFunction) => {
      const input = {
        body: contract.body ? parseOr400(contract.body, req.body) : undefined,
        query: contract.query ? parseOr400(contract.query, req.query) : undefined,
      } as Parsed<C>;
      handler(req, res, input).catch(next);
    },
  );
}

/** JSON Schema of what a client sends (`io: 'input'`), without the `$schema` header. */
export function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** OpenAPI form of an Express path: `:id` → `{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
