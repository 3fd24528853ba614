/**
 * The Query wire form of SQS (older SDKs and CLIs): a form-encoded body with `Action=…` and
 * flattened, numbered parameters (`Attribute.1.Name`), answered with XML. Requests are turned into
 * the same JSON shape the JSON 1.0 protocol carries, and outputs rendered from it, so the actions
 * never know which protocol they serve.
 */
import { protoKeyNotAllowed, SqsError } from './errors.js';
import { isRecord, type SqsInput } from './params.js';
import { renderXmlDocument, sqsXmlNamespace, type XmlElement } from './xml.js';

/** A parsed form: each dotted key split into a tree, numbered segments becoming list items. */
interface FormNode {
  value?: string;
  children: Map<string, FormNode>;
}

/** Flattened maps of the Query form: form key → [JSON member, name of the key field]. */
const formMaps: Record<string, [string, string]> = {
  Attribute: ['Attributes', 'Name'],
  MessageAttribute: ['MessageAttributes', 'Name'],
  MessageSystemAttribute: ['MessageSystemAttributes', 'Name'],
  Tag: ['Tags', 'Key'],
  Tags: ['Tags', 'Key'],
};

/** Flattened lists of the Query form: form key → JSON member. */
const formLists: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
};

/** Reads `Action` and the JSON-shaped input from a form body (and any query-string parameters). */
export function decodeQueryRequest(body: Buffer, queryString: string): { action: string; input: SqsInput } {
  const root: FormNode = { children: new Map() };
  const params = [...new URLSearchParams(queryString).entries(), ...new URLSearchParams(body.toString('utf8')).entries()];
  let action: string | undefined;
  for (const [key, value] of params) {
    if (key === 'Action') action = value;
    else if (key !== 'Version') insert(root, key.split('.'), value);
  }
  if (action === undefined || action === '') throw new SqsError('MissingParameter', 'The request must contain the parameter Action.');
  return { action, input: convert(root) };
}

function insert(node: FormNode, path: string[], value: string): void {
  let at = node;
  for (const segment of path) {
    let child = at.children.get(segment);
    if (child === undefined) {
      child = { children: new Map() };
      at.children.set(segment, child);
    }
    at = child;
  }
  at.value = value;
}

/** The numbered items of a flattened member, in index order (`X.1`, `X.2`, …). */
function items(node: FormNode): FormNode[] {
  if (node.children.size === 0 && node.value !== undefined) return [node];
  return [...node.children.entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, v]) => v);
}

function convert(node: FormNode): SqsInput {
  const out: SqsInput = {};
  for (const [key, child] of node.children) {
    if (key === '__proto__') throw protoKeyNotAllowed();
    // Own entries only: a parameter named after an Object method (`toString.1=x`) is a plain one.
    const map = Object.hasOwn(formMaps, key) ? formMaps[key] : undefined;
    const list = Object.hasOwn(formLists, key) ? formLists[key] : undefined;
    if (map !== undefined) {
      const [member, keyField] = map;
      const target: Record<string, unknown> = isRecord(out[member]) ? out[member] : {};
      for (const item of items(child)) {
        const name = item.children.get(keyField)?.value;
        const value = item.children.get('Value');
        if (name === undefined || value === undefined) continue;
        if (name === '__proto__') throw protoKeyNotAllowed();
        target[name] = value.children.size > 0 ? convert(value) : (value.value ?? '');
      }
      out[member] = target;
    } else if (list !== undefined) {
      out[list] = items(child).map((item) => (item.children.size > 0 ? convert(item) : (item.value ?? '')));
    } else if (child.children.size > 0) {
      out[key] = convert(child);
    } else {
      out[key] = child.value ?? '';
    }
  }
  return out;
}

/** Actions whose XML response carries no `<…Result>` element. */
const noResultActions = new Set([
  'ChangeMessageVisibility',
  'DeleteMessage',
  'DeleteQueue',
  'PurgeQueue',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
]);

/** Output lists: JSON member → XML element of each item. */
const outputLists: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
};

/** Output maps: JSON member → [XML element of each entry, key element]. */
const outputMaps: Record<string, [string, string]> = {
  Attributes: ['Attribute', 'Name'],
  MessageAttributes: ['MessageAttribute', 'Name'],
  Tags: ['Tag', 'Key'],
};

/** Renders an action's output as its XML response. */
export function encodeQueryOutput(action: string, output: Record<string, unknown>, requestId: string): string {
  const children: XmlElement[] = [];
  if (!noResultActions.has(action)) children.push({ name: `${action}Result`, children: members(action, output) });
  children.push({ name: 'ResponseMetadata', children: [{ name: 'RequestId', text: requestId }] });
  return renderXmlDocument({ name: `${action}Response`, children }, sqsXmlNamespace);
}

function members(action: string, value: Record<string, unknown>): XmlElement[] {
  const out: XmlElement[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      // Batch results and move task lists are named after the action (SendMessageBatchResultEntry, …).
      const itemName = outputLists[key] ?? `${action}ResultEntry`;
      for (const item of v) out.push(element(action, itemName, item));
    } else if (outputMaps[key] !== undefined && isRecord(v)) {
      const [entryName, keyName] = outputMaps[key]!;
      for (const [k, entry] of Object.entries(v)) {
        out.push({ name: entryName, children: [{ name: keyName, text: k }, element(action, 'Value', entry)] });
      }
    } else {
      out.push(element(action, key, v));
    }
  }
  return out;
}

function element(action: string, name: string, value: unknown): XmlElement {
  if (value instanceof Uint8Array) return { name, text: Buffer.from(value).toString('base64') };
  if (isRecord(value)) return { name, children: members(action, value) };
  return { name, text: String(value) };
}

/** The status and XML body of a Query error response. */
export function encodeQueryError(error: SqsError, requestId: string): { status: number; body: string } {
  const body = renderXmlDocument(
    {
      name: 'ErrorResponse',
      children: [
        {
          name: 'Error',
          children: [
            { name: 'Type', text: error.faultType },
            { name: 'Code', text: error.queryCode },
            { name: 'Message', text: error.message },
            { name: 'Detail' },
          ],
        },
        { name: 'RequestId', text: requestId },
      ],
    },
    sqsXmlNamespace,
  );
  return { status: error.status, body };
}
