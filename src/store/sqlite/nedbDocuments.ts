import { z } from 'zod';
import type { BanRecord, ChatMessageRecord, GlobalSettings, RevocationRecord } from '../../contracts/records.js';
import type { RoomRecord } from '../Store.js';
import type { DocumentCheck } from './nedbFile.js';

/**
 * The previous version's documents, checked field by field before they reach SQLite: a STRICT
 * table refuses a wrong type, and one refused row would roll back the whole import. Unknown
 * fields (NeDB's `_id`) are dropped.
 */

// INTEGER columns take whole numbers only.
const integer = z.number().int();

const room: z.ZodType<RoomRecord> = z.object({
  name: z.string(),
  port: integer,
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  createdAt: integer,
});

const message: z.ZodType<ChatMessageRecord> = z.object({
  room: z.string(),
  id: z.string(),
  user: z.string(),
  name: z.string(),
  text: z.string(),
  ts: integer,
  ref: z.string().optional(),
});

const ban: z.ZodType<BanRecord> = z.object({
  id: z.string(),
  user: z.string(),
  room: z.string().nullable(),
  reason: z.string(),
  createdAt: integer,
  expiresAt: integer.nullable(),
  by: z.string().optional(),
});

const revocation: z.ZodType<RevocationRecord> = z.object({
  user: z.string(),
  room: z.string().nullable(),
  revokedAt: integer,
});

/** The one settings document (`scope: 'global'`); a field it lacks keeps its default. */
const settings: z.ZodType<Partial<GlobalSettings>> = z
  .object({
    scope: z.literal('global'),
    bannedWords: z.array(z.string()).optional(),
    bannedWordsAction: z.enum(['mask', 'refuse']).optional(),
    chatRate: z.number().nullable().optional(),
    chatBurst: z.number().nullable().optional(),
    historySize: integer.optional(),
    welcomeText: z.string().optional(),
  })
  .transform(({ scope: _scope, ...values }) => values);

function checker<T>(what: string, schema: z.ZodType<T>): (doc: Record<string, unknown>) => DocumentCheck<T> {
  return (doc) => {
    const parsed = schema.safeParse(doc);
    if (parsed.success) return { ok: true, record: parsed.data };
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'document'}: ${issue.message}`);
    return { ok: false, reason: `invalid ${what} (${fields.join('; ')})` };
  };
}

export const checkRoom = checker('room', room);
export const checkMessage = checker('message', message);
export const checkBan = checker('ban', ban);
export const checkRevocation = checker('revocation', revocation);
export const checkSettings = checker('settings document', settings);
