import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RecordingRecord } from '../../contracts/records.js';
import type { RecordingStore } from '../RecordingStore.js';

type Row = Record<string, unknown>;

const recordingOf = (row: Row): RecordingRecord => ({
  room: row.room as string,
  id: row.id as string,
  startedAt: row.started_at as number,
  endedAt: row.ended_at as number | null,
  duration: row.duration as number,
  bytes: row.bytes as number,
});

function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  return {
    save: s(
      'INSERT INTO recordings (room, id, started_at, ended_at, duration, bytes) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room, id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at, duration = excluded.duration, bytes = excluded.bytes',
    ),
    get: s('SELECT * FROM recordings WHERE room = ? AND id = ?'),
    listRoom: s('SELECT * FROM recordings WHERE room = ? ORDER BY id DESC'),
    listAll: s('SELECT * FROM recordings ORDER BY started_at, id'),
    listOpen: s('SELECT * FROM recordings WHERE ended_at IS NULL ORDER BY started_at, id'),
    delete: s('DELETE FROM recordings WHERE room = ? AND id = ?'),
    deleteRoom: s('DELETE FROM recordings WHERE room = ?'),
  };
}

/** The embedded store's recordings table (schema step 3); each write is one autocommitted statement. */
export class SqliteRecordings implements RecordingStore {
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: DatabaseSync) {
    this.#s = prepare(db);
  }

  async saveRecording(r: RecordingRecord): Promise<void> {
    this.#s.save.run(r.room, r.id, r.startedAt, r.endedAt, r.duration, r.bytes);
  }

  async getRecording(room: string, id: string): Promise<RecordingRecord | null> {
    const row = this.#s.get.get(room, id);
    return row ? recordingOf(row) : null;
  }

  async listRecordings(room: string): Promise<RecordingRecord[]> {
    return this.#s.listRoom.all(room).map(recordingOf);
  }

  async listAllRecordings(): Promise<RecordingRecord[]> {
    return this.#s.listAll.all().map(recordingOf);
  }

  async listOpenRecordings(): Promise<RecordingRecord[]> {
    return this.#s.listOpen.all().map(recordingOf);
  }

  async deleteRecording(room: string, id: string): Promise<boolean> {
    return Number(this.#s.delete.run(room, id).changes) > 0;
  }

  async deleteRoomRecordings(room: string): Promise<number> {
    return Number(this.#s.deleteRoom.run(room).changes);
  }
}
