import { LIMITS } from '../chat/protocol.js';
import type { PrimarySideChannel } from '../ipc/endpoints.js';
import type { ChatAdmin } from './ChatAdmin.js';
import type { DataCache } from './DataCache.js';
import type { MessageCommitter } from './MessageCommitter.js';
import type { ModeratorRegistry } from './ModeratorRegistry.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { PrimaryRecordings } from './PrimaryRecordings.js';
import type { Webhooks } from './webhooks/Webhooks.js';

/** The parts of the primary that answer its workers. */
export interface PrimaryIpcServices {
  readonly cache: Pick<DataCache, 'snapshot'>;
  readonly messages: Pick<MessageCommitter, 'commit' | 'history'>;
  readonly chatAdmin: Pick<ChatAdmin, 'addModeratorBan' | 'addOperatorBan'>;
  readonly moderators: Pick<ModeratorRegistry, 'seen'>;
  readonly rooms: Pick<RoomDirectory, 'applyActivity'>;
  readonly recordings: Pick<PrimaryRecordings, 'noted'>;
  readonly webhooks: Pick<Webhooks, 'raise'>;
}

/**
 * Every request the primary serves on a worker's channel and every note it listens to, in one
 * place, each handed to the component that owns it (a worker's side is in RoomWorker's
 * constructor). Installed on each new worker's channel before it is used. One note is not
 * here: `worker.ready`, the pool's handshake with a process it forked (WorkerPool).
 */
export function installPrimaryIpcHandlers(channel: PrimarySideChannel, slot: number, services: PrimaryIpcServices): void {
  const { cache, messages, chatAdmin, moderators, rooms, recordings, webhooks } = services;
  channel.handle('cache.get', () => cache.snapshot());
  channel.handle('messages.append', async ({ messages: batch, deadline }) => ({ answers: await messages.commit(batch, deadline) }));
  channel.handle('history.get', ({ room, before, limit, deadline }) => messages.history(room, before, Math.min(limit, LIMITS.maxHistoryRead), deadline));
  channel.handle('ban.add', (ban) => ('operator' in ban ? chatAdmin.addOperatorBan(ban) : chatAdmin.addModeratorBan(ban)));
  channel.onNote('moderator.seen', ({ user }) => moderators.seen(user));
  channel.onNote('rooms.activity', ({ rooms: reports }) => rooms.applyActivity(slot, reports));
  channel.onNote('recording.changed', (note) => recordings.noted(slot, note));
  channel.onNote('webhooks.events', ({ events }) => void webhooks.raise(events));
}
