import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { webhookBodySchema, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../src/contracts/webhookEvents.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validators = new Map(WEBHOOK_EVENT_TYPES.map((type) => [type, ajv.compile(webhookBodySchema(type))]));

/** The schema errors of a webhook body against its type's JSON Schema ([] when it conforms). */
export function schemaErrors(body: { type?: string }): string[] {
  const type = String(body.type);
  const validate = validators.get(type as WebhookEventType);
  if (!validate) return [`unknown event type ${type}`];
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? ''}`);
}
