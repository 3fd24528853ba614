/**
 * The AWS JSON 1.0 wire form of SQS (current SDKs): `X-Amz-Target: AmazonSQS.<Action>`, a JSON
 * body in, a JSON body out, and errors as `{"__type", "message"}` plus the `x-amzn-query-error`
 * header that query-compatible SDKs read the classic error code from.
 */
import { ProtoKeyError, parseApiJson } from '../request-json.js';
import { protoKeyNotAllowed, SqsError } from './errors.js';
import { isRecord, type SqsInput } from './params.js';

/** Content type of requests and responses. */
export const jsonContentType = 'application/x-amz-json-1.0';

const targetPrefix = 'AmazonSQS.';
const errorNamespace = 'com.amazonaws.sqs#';

/** Reads the action from X-Amz-Target and the input from the body. */
export function decodeJsonRequest(body: Buffer, target: string | undefined): { action: string; input: SqsInput } {
  if (target === undefined || !target.startsWith(targetPrefix)) {
    throw new SqsError('InvalidAction', 'The X-Amz-Target header must name an action as AmazonSQS.<Action>.');
  }
  const action = target.slice(targetPrefix.length);
  if (body.length === 0) return { action, input: {} };
  let input: unknown;
  try {
    input = parseApiJson(body.toString('utf8'));
  } catch (e) {
    if (e instanceof ProtoKeyError) throw protoKeyNotAllowed();
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isRecord(input)) throw new SqsError('SerializationException', 'The request body must be a JSON object.');
  return { action, input };
}

/** Serialises an action's output; binary values become base64 as the JSON protocol wants. */
export function encodeJsonOutput(output: Record<string, unknown>): string {
  // The replacer looks at the holder's own value: a Buffer's toJSON() has already turned `value`
  // into { type: 'Buffer', data: [...] } by the time the replacer sees it.
  return JSON.stringify(output, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
  });
}

/** The status, headers and body of a JSON 1.0 error response. */
export function encodeJsonError(error: SqsError): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: error.status,
    headers: { 'x-amzn-query-error': `${error.queryCode};${error.faultType}` },
    body: JSON.stringify({ __type: `${errorNamespace}${error.errorName}`, message: error.message }),
  };
}
