/**
 * Broker message headers the SQS front-end reserves for itself. They carry what SQS clients send
 * that the broker's message model has no field for; docs/sqs.md lists them for native users.
 */

/**
 * SQS data types a header's value does not imply: a JSON object of attribute name → data type
 * (e.g. `{"price":"Number.float"}`), present only when some attribute needs it.
 */
export const dataTypesHeader = 'x-sqs-data-types';

/** The AWSTraceHeader message system attribute of a send. */
export const traceHeader = 'x-sqs-aws-trace-header';

/** True for a header that is not a user attribute. */
export function isReservedHeader(name: string): boolean {
  return name === dataTypesHeader || name === traceHeader;
}
