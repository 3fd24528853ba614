/**
 * JSON schema fragments shared by several routes of the native API. They check shapes and types
 * only; ranges and limits are the broker's to enforce, so every front-end reports them alike.
 */

/** A header value: a string, a number, or `{ "base64": "..." }` for bytes. */
export const headerValueSchema = {
  type: ['string', 'number', 'object'],
  required: ['base64'],
  properties: { base64: { type: 'string' } },
  additionalProperties: false,
} as const;

/** Message headers: name to value. */
export const headersSchema = { type: 'object', additionalProperties: headerValueSchema } as const;

/** The options of a message: in a JSON entry, a framed entry, or the query string of a raw send. */
export const sendOptionSchemas = {
  priority: { type: 'integer' },
  delayMs: { type: 'integer' },
  ttlMs: { type: 'integer' },
  groupId: { type: 'string' },
  dedupId: { type: 'string' },
} as const;

/** The fields a send entry and a publish share. */
export const messageFieldSchemas = {
  body: { type: 'string' },
  bodyEncoding: { type: 'string', enum: ['utf8', 'base64'] },
  headers: headersSchema,
  ...sendOptionSchemas,
} as const;

/** One message to send. */
export const sendEntrySchema = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, ...messageFieldSchemas },
} as const;

/** The fields of a framed entry (frames.ts) besides its own: those of a message, its body's length in place of the body. */
const framedMessageFieldSchemas = { bodyBytes: { type: 'integer' }, headers: headersSchema, ...sendOptionSchemas } as const;

/** A framed batch as its parser hands it over: the entries (of the given extra fields) and their bodies. */
function framedBatchSchema<P extends Record<string, unknown>>(extra: P) {
  return {
    type: 'object',
    required: ['messages', 'bodies'],
    additionalProperties: false,
    properties: {
      messages: {
        type: 'array',
        items: { type: 'object', required: ['bodyBytes'], additionalProperties: false, properties: { ...framedMessageFieldSchemas, ...extra } },
      },
      bodies: { type: 'array' },
    },
  } as const;
}

/** A framed batch send: entries may carry an `id`, echoed in their results. */
export const framedSendSchema = framedBatchSchema({ id: { type: 'string' } });

/** A framed batch publish: entries may carry a `routingKey`. */
export const framedPublishSchema = framedBatchSchema({ routingKey: { type: 'string' } });

/** A string parameter in a path (queue or topic name); the broker validates the name itself. */
export const nameParamSchema = { type: 'string', minLength: 1 } as const;

/** Paging of list calls. */
export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string' },
    after: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

/** Page size of list calls that name none. */
export const defaultListLimit = 1000;

/** How a receive or peek wants bodies written. */
export const bodyEncodingChoiceSchema = { type: 'string', enum: ['auto', 'base64'] } as const;
