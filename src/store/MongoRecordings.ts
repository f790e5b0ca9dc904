import type { Collection, Db, WriteConcernOptions } from 'mongodb';
import type { RecordingRecord } from '../contracts/records.js';
import type { RecordingStore } from './RecordingStore.js';

const noId = { projection: { _id: 0 } } as const;

/** MongoDB's `recordings` collection, unique by (room, id). */
export class MongoRecordings implements RecordingStore {
  readonly #db: Db;
  readonly #durable: WriteConcernOptions;

  constructor(db: Db, durable: WriteConcernOptions) {
    this.#db = db;
    this.#durable = durable;
  }

  get #recordings(): Collection<RecordingRecord> {
    return this.#db.collection<RecordingRecord>('recordings');
  }

  async createIndexes(): Promise<void> {
    await this.#recordings.createIndex({ room: 1, id: -1 }, { unique: true });
    await this.#recordings.createIndex({ startedAt: 1 });
    await this.#recordings.createIndex({ endedAt: 1 });
  }

  async saveRecording(recording: RecordingRecord): Promise<void> {
    await this.#recordings.replaceOne({ room: recording.room, id: recording.id }, { ...recording }, { upsert: true, ...this.#durable });
  }

  async getRecording(room: string, id: string): Promise<RecordingRecord | null> {
    return this.#recordings.findOne({ room, id }, noId);
  }

  async listRecordings(room: string): Promise<RecordingRecord[]> {
    return this.#recordings.find({ room }, noId).sort({ id: -1 }).toArray();
  }

  async listAllRecordings(): Promise<RecordingRecord[]> {
    return this.#recordings.find({}, noId).sort({ startedAt: 1, id: 1 }).toArray();
  }

  async listOpenRecordings(): Promise<RecordingRecord[]> {
    return this.#recordings.find({ endedAt: null }, noId).sort({ startedAt: 1, id: 1 }).toArray();
  }

  async deleteRecording(room: string, id: string): Promise<boolean> {
    return (await this.#recordings.deleteOne({ room, id }, this.#durable)).deletedCount > 0;
  }

  async deleteRoomRecordings(room: string): Promise<number> {
    return (await this.#recordings.deleteMany({ room }, this.#durable)).deletedCount;
  }
}
