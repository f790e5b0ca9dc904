import { STREAM_LIMITS } from '../config/streamLimits.js';
import type { RoomSettings } from '../contracts/records.js';
import { RETENTION_LIMITS } from '../store/retention.js';
import { ApiError } from '../kit/errors.js';

type SettingRule = { readonly type: 'boolean' } | { readonly type: 'text'; readonly maxLength: number } | { readonly type: 'number'; readonly min: number; readonly max: number; readonly integer: boolean };

/** Room settings a site may give at creation, with their types and bounds. */
const KNOWN: Record<string, SettingRule> = {
  /** What the live listing shows for the room (default: its name). */
  title: { type: 'text', maxLength: 200 },
  /** false: joining needs a token (no anonymous viewers). Default true. */
  anonymous: { type: 'boolean' },
  /** HLS segment length in seconds (default HLS_SEGMENT_SECONDS). */
  segmentSeconds: { type: 'number', min: STREAM_LIMITS.segmentSeconds.min, max: STREAM_LIMITS.segmentSeconds.max, integer: false },
  /** Low-Latency HLS part length in seconds (default HLS_PART_SECONDS; at most the segment length). */
  partSeconds: { type: 'number', min: STREAM_LIMITS.partSeconds.min, max: STREAM_LIMITS.partSeconds.max, integer: false },
  /** Segments in the live playlist (default HLS_WINDOW_SEGMENTS). */
  windowSegments: { type: 'number', min: STREAM_LIMITS.windowSegments.min, max: STREAM_LIMITS.windowSegments.max, integer: true },
  /** true: an adaptive ladder (source, 480p, 240p) behind a master playlist; always transcodes. */
  ladder: { type: 'boolean' },
  /** Stored messages older than this many days are pruned; 0: kept whatever the global setting. */
  historyRetentionDays: { type: 'number', min: 0, max: RETENTION_LIMITS.maxDays, integer: true },
  /** Only the newest this many stored messages are kept; 0: all, whatever the global setting. */
  historyMaxMessages: { type: 'number', min: 0, max: RETENTION_LIMITS.maxMessages, integer: true },
  /** false: the room's broadcasts are not recorded. Default true. */
  record: { type: 'boolean' },
};

/** Reads the optional `{"settings":{...}}` body of a room create. */
export function parseRoomSettings(body: unknown): RoomSettings {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BAD_REQUEST', 'The body must be a JSON object');
  const { settings, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ApiError('BAD_REQUEST', `Unknown field: ${extra[0]}`);
  if (settings === undefined) return {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ApiError('BAD_REQUEST', 'settings must be an object');
  const parsed: Record<string, boolean | number | string> = {};
  for (const [key, value] of Object.entries(settings)) {
    const rule = Object.hasOwn(KNOWN, key) ? KNOWN[key] : undefined;
    if (!rule) throw new ApiError('BAD_REQUEST', `Unknown room setting: ${key}`);
    parsed[key] = checkSetting(key, rule, value);
  }
  return parsed;
}

/** Control characters would break the lines and pages that show a title. */
const CONTROL = /\p{Cc}/u;

function checkSetting(key: string, rule: SettingRule, value: unknown): boolean | number | string {
  if (rule.type === 'text') {
    const text = typeof value === 'string' ? value.trim() : '';
    if (text.length === 0 || text.length > rule.maxLength || CONTROL.test(text)) {
      throw new ApiError('BAD_REQUEST', `settings.${key} must be text of 1 to ${rule.maxLength} characters without control characters`);
    }
    return text;
  }
  if (rule.type === 'boolean') {
    if (typeof value !== 'boolean') throw new ApiError('BAD_REQUEST', `settings.${key} must be a boolean`);
    return value;
  }
  const valid = typeof value === 'number' && Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
  if (!valid) {
    throw new ApiError('BAD_REQUEST', `settings.${key} must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`);
  }
  return value;
}
