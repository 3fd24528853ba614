/**
 * A minimal XML writer for the Query protocol's responses: elements with text or child elements,
 * escaped for XML 1.0. SQS responses use no attributes except the namespace on the root.
 */

/** An XML element: a name and either text or children. */
export interface XmlElement {
  name: string;
  text?: string;
  children?: XmlElement[];
}

/** The SQS Query API namespace of the 2012-11-05 API version. */
export const sqsXmlNamespace = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Escapes text for element content; characters XML 1.0 cannot carry become character references where legal. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        // A literal CR would be normalised to LF by the parser; a reference keeps it.
        return '&#13;';
    }
  });
}

/** Renders a document: an XML declaration and the root element carrying `xmlns`. */
export function renderXmlDocument(root: XmlElement, namespace: string): string {
  const inner = renderChildren(root);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root.name} xmlns="${namespace}">${inner}</${root.name}>`;
}

function renderElement(el: XmlElement): string {
  return `<${el.name}>${renderChildren(el)}</${el.name}>`;
}

function renderChildren(el: XmlElement): string {
  if (el.children !== undefined) return el.children.map(renderElement).join('');
  return el.text === undefined ? '' : escapeXml(el.text);
}
