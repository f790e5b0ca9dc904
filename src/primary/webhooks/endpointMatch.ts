import { OPT_IN_EVENT_TYPES, type WebhookEventType } from '../../contracts/webhookEvents.js';
import type { WebhookEndpointRecord } from '../../contracts/webhookRecords.js';

/** Whether an endpoint takes events of `type` (opt-in types only when named). */
export function wantsType(endpoint: WebhookEndpointRecord, type: WebhookEventType): boolean {
  return endpoint.events === null ? !OPT_IN_EVENT_TYPES.has(type) : endpoint.events.includes(type);
}

/** Whether an enabled endpoint takes this event: its type, and its room (events of no room go to every endpoint). */
export function endpointMatches(endpoint: WebhookEndpointRecord, type: WebhookEventType, room: string | null): boolean {
  return endpoint.enabled && wantsType(endpoint, type) && (room === null || endpoint.rooms === null || endpoint.rooms.includes(room));
}
