/** What the admin API answers (docs/api.md, admin API): the fields the console shows. */
import type { StreamIngest } from '../../../src/contracts/ingest.ts';
import type { RoomUser } from '../../../src/contracts/ipc.ts';

export type { BanRecord, GlobalSettings } from '../../../src/contracts/records.ts';
export type { RoomUser };
export type { LogLevel } from '../../../src/contracts/logLevels.ts';

export interface PublishUrls {
  rtmp: string | null;
  rtmpShared: string | null;
  whip: string | null;
  srt: string | null;
  http: string | null;
}

/** GET /api/v1/room/:name/users: the first `limit` users (matching `q`), and how many match in all. */
export interface RoomUserList {
  users: RoomUser[];
  total: number;
}

/** GET /api/v1/rooms: one room. */
export interface AdminRoom {
  name: string;
  port: number;
  /** The worker slot (0, 1, ...): stays the same when the worker process is replaced. */
  worker: number;
  clients: number;
  viewers: number;
  messages: number;
  live: boolean;
  ingest: StreamIngest | null;
  publish: PublishUrls | null;
  status: string;
  error: string | null;
}

/** GET /api/v1/stats: the parts the console shows. */
export interface ServerStats {
  accepting: boolean;
  uptimeS: number;
  workers: Array<{ pid: number | null; state: string }>;
  rooms: { total: number; clients: number; live: number };
}
