import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../shared/errors';

/**
 * Characters PostgreSQL cannot store (NUL in text, `\u0000` or a lone surrogate in jsonb) or that no
 * field of this API has a use for: C0 controls, DEL and C1 controls. Tab, line feed and carriage
 * return stay allowed in bodies (descriptions have lines); paths and queries refuse them too.
 */
// Finding control characters is the point of these patterns.
const BODY_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first string (value or key) in `value` that matches `forbidden`, as a dotted path, or null.
 * Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findForbidden(value: unknown, forbidden: RegExp = BODY_FORBIDDEN): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (forbidden.test(v)) return at || '(value)';
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], at ? `${at}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const p = at ? `${at}.${k}` : k;
        if (forbidden.test(k)) return p;
        stack.push([child, p]);
      }
    }
  }
  return null;
}

function refuse(where: string, at: string): AppError {
  return new AppError('invalid_characters', undefined, [
    { path: `${where}${at === '(value)' ? '' : `.${at}`}`, message: 'control character, NUL or unpaired surrogate' },
  ]);
}

/**
 * Refuses, with `400 invalid_characters`, any request whose decoded path, query or JSON body holds a
 * character the database cannot store: such a request used to be accepted with 202 and poison the
 * single writer. Runs after the JSON parser.
 */
export function inputGuard(req: Request, _res: Response, next: NextFunction) {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    next(new AppError('invalid_characters', 'The path is not valid percent-encoded UTF-8'));
    return;
  }
  if (LINE_FORBIDDEN.test(path)) {
    next(refuse('path', '(value)'));
    return;
  }
  const inQuery = findForbidden(req.query, LINE_FORBIDDEN);
  if (inQuery !== null) {
    next(refuse('query', inQuery));
    return;
  }
  if (req.body !== undefined) {
    const inBody = findForbidden(req.body);
    if (inBody !== null) {
      next(refuse('body', inBody));
      return;
    }
  }
  next();
}
