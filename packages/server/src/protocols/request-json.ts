/**
 * JSON of requests, shared by the front-ends: a "__proto__" key is refused wherever it stands, so
 * parsed input never carries a prototype of the client's choosing and nothing a client sent is
 * silently dropped when it is copied into a plain object.
 */

/** A "__proto__" key in request JSON; a SyntaxError so that the answer names the body. */
export class ProtoKeyError extends SyntaxError {}

/** Parses request JSON, refusing a "__proto__" key anywhere in it. */
export function parseApiJson(source: string): unknown {
  // The reviver costs a call per value, so it runs only when the text could hold such a key:
  // spelled out, or written with escapes (`"\u005f_proto__"` is the same key).
  return source.includes('__proto__') || source.includes('\\u') ? JSON.parse(source, refuseProtoKey) : JSON.parse(source);
}

function refuseProtoKey(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ProtoKeyError('body holds a "__proto__" key, which is not allowed anywhere in a request');
  return value;
}
