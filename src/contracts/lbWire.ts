/**
 * The chat server <-> load balancer wire contract (loadbalancer/README.md, "API"), one set of
 * types for both sides: src/lb-client sends these, loadbalancer/src keeps them. Types only: the
 * load balancer validates the bodies with its own zod schemas (loadbalancer/src/bodies.ts), so
 * contracts need no package.
 */

/** `POST /api/v1/servers`: who the chat server is and where it answers. */
export interface Registration {
  /** The server's own id; the load balancer makes one when it is absent. */
  readonly id?: string | undefined;
  readonly url: string;
  readonly adminUrl: string;
  readonly host: string;
  readonly workers: number;
  readonly version: string;
}

export interface RoomReport {
  readonly name: string;
  readonly port: number;
  readonly clients: number;
  readonly live: boolean;
  /** The room as listings show it, when it is live (absent from servers older than the live listing). */
  readonly listing?: LiveRoom | undefined;
}

/** `PUT /api/v1/servers/:id/health`: load as shares from 0 to 1, and every room. */
export interface HealthReport {
  readonly status: 'available' | 'draining';
  readonly accepting?: boolean | undefined;
  readonly load: { cpu: number; memory: number; rooms: number; clients: number };
  readonly rooms: readonly RoomReport[];
}

/** A live room as the listings show it (`GET /api/v1/rooms/live` of a chat server and of the load balancer). */
export interface LiveRoom {
  readonly name: string;
  /** The room setting `title`, else the name. */
  readonly title: string;
  /** Chat clients plus recent HLS players. */
  readonly viewers: number;
  /** Chat connections. */
  readonly chatUsers: number;
  /** ISO 8601; null only from a chat server too old to report it (load balancer listing). */
  readonly liveSince: string | null;
  /** The poster frame on the room port; null until the first one is taken (or thumbnails are off). */
  readonly thumbnailUrl: string | null;
  readonly playlistUrl: string;
  readonly port: number;
}
