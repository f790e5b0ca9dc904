import type { RecordingRecord } from '../contracts/records.js';

/**
 * The recordings of broadcasts (one record per recording; the media are files, see
 * hls/recording). Part of every Store (`store.recordings`). Not journaled while MongoDB is away:
 * no user waits on these writes, and the folders on disk are the truth recovery seals from.
 */
export interface RecordingStore {
  /** Inserts or replaces the recording (room, id). */
  saveRecording(recording: RecordingRecord): Promise<void>;
  getRecording(room: string, id: string): Promise<RecordingRecord | null>;
  /** A room's recordings, newest first. */
  listRecordings(room: string): Promise<RecordingRecord[]>;
  /** Every recording of every room, oldest first (retention walks them). */
  listAllRecordings(): Promise<RecordingRecord[]>;
  /** Recordings not ended: at a start, the ones a crash or a dead worker left open. */
  listOpenRecordings(): Promise<RecordingRecord[]>;
  /** Resolves true when one was removed. */
  deleteRecording(room: string, id: string): Promise<boolean>;
  /** Resolves with how many were removed. */
  deleteRoomRecordings(room: string): Promise<number>;
}
