/**
 * Request parsing and schema validation for the native API. Bodies are validated strictly (no type
 * coercion: `"priority": "5"` is a wrong type, not a 5; unknown fields are refused by name), while
 * path and query parameters, which are always text, are coerced to the declared types.
 */
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { unsupportedMediaType } from './errors.js';
import { parseApiJson, ProtoKeyError } from '../request-json.js';
import { batchContentType, decodeFrame } from './frames.js';

const ajvOptions = { useDefaults: false, removeAdditional: false, allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true } as const;

/** Bodies are checked without coercion: `"priority": "5"` is a wrong type. */
const bodyAjv = new Ajv({ ...ajvOptions, coerceTypes: false });

/**
 * Installs the validator compiler and the body parsers on the API's fastify context.
 * `rawBodyRoutes` (full route paths) are the only ones that take an application/octet-stream body,
 * `framedRoutes` the only ones that take a framed batch (frames.ts).
 */
export function installValidation(app: FastifyInstance, rawBodyRoutes: ReadonlySet<string>, framedRoutes: ReadonlySet<string>): void {
  const textAjv = new Ajv({ ...ajvOptions, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));

  // JSON: an empty body means "no options" (POST .../purge with a Content-Type and nothing else);
  // a "__proto__" key is refused, so parsed input can never carry a prototype and nothing a client
  // sent is silently dropped.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const source = typeof text === 'string' ? text : text.toString('utf8');
    if (source.trim() === '') return done(null, undefined);
    try {
      done(null, parseApiJson(source));
    } catch (e) {
      const error = e as Error & { statusCode?: number };
      error.statusCode = 400;
      if (!(e instanceof ProtoKeyError)) error.message = `body is not valid JSON: ${error.message}`;
      done(error, undefined);
    }
  });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, bytes, done) => done(null, bytes));
  app.addContentTypeParser(batchContentType, { parseAs: 'buffer' }, (request, bytes, done) => {
    if (!framedRoutes.has(request.routeOptions.url ?? '')) return done(unsupportedMediaType(), undefined);
    try {
      done(null, decodeFrame(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), parseApiJson));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Plain text would reach handlers as a string; the API speaks JSON (and raw bytes for single sends).
  app.removeContentTypeParser('text/plain');

  app.addHook('preValidation', (request, _reply, done) => {
    if (Buffer.isBuffer(request.body) && !rawBodyRoutes.has(request.routeOptions.url ?? '')) {
      done(unsupportedMediaType());
      return;
    }
    // Routes whose body is optional see `{}` when there is none, so their schemas stay plain objects.
    if (request.body === undefined || request.body === null) request.body = {};
    done();
  });
}

/**
 * Returns a check of a request body against `schema`, strict like the routes' own. The check
 * throws the error a route's failed validation raises, so toHttpError maps it the same way.
 */
export function bodyValidator<T>(schema: object): (value: unknown) => T {
  const validate = bodyAjv.compile(schema);
  return (value) => {
    if (validate(value)) return value as T;
    throw Object.assign(new Error('request body is invalid'), { code: 'FST_ERR_VALIDATION', statusCode: 400, validation: validate.errors ?? [], validationContext: 'body' });
  };
}
