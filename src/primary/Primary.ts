import path from 'node:path';
import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import type { LoadBalancerClient } from '../lb-client/LoadBalancerClient.js';
import { MachineLoad } from '../lb-client/serverLoad.js';
import { countingStore, type StoreCounters } from '../store/CountingStore.js';
import { EventLoopLag } from '../kit/EventLoopLag.js';
import { Metrics } from './Metrics.js';
import { ServerControl, type AcceptingState } from './ServerControl.js';
import { createStore } from '../store/createStore.js';
import { JournaledStore } from '../store/journal/JournaledStore.js';
import type { LocalJournal } from '../store/journal/LocalJournal.js';
import type { Store } from '../store/Store.js';
import { ChatAdmin } from './ChatAdmin.js';
import { DataCache } from './DataCache.js';
import { HistoryAdmin } from './HistoryAdmin.js';
import { HistoryPruner } from './HistoryPruner.js';
import { IngestProbe, type IngestCapabilities } from './IngestCapabilities.js';
import { healthReport, startLoadBalancerClient } from './loadBalancerReports.js';
import { MessageCommitter } from './MessageCommitter.js';
import { ModeratorRegistry } from './ModeratorRegistry.js';
import { openStore } from './openStore.js';
import { poolStats } from './poolStats.js';
import { PortAllocator } from './PortAllocator.js';
import { PrimaryRecordings } from './PrimaryRecordings.js';
import { RecordingChat } from './RecordingChat.js';
import { installPrimaryIpcHandlers } from './primaryIpcHandlers.js';
import type { PrimaryServices, StartApis } from './PrimaryServices.js';
import { RoomDirectory } from './RoomDirectory.js';
import { SharedRtmpPort, type RtmpRoute } from './SharedRtmpPort.js';
import type { ServerStats } from './ServerStats.js';
import { StoreBackups } from './StoreBackups.js';
import { WorkerPool } from './WorkerPool.js';
import { workerEnvironment } from './workerEnvironment.js';
import { Webhooks } from './webhooks/Webhooks.js';
import { openedWebhooks } from '../store/WebhookStore.js';

/**
 * The primary process: owns the store and its cache, the worker pool, the room directory,
 * the public and admin APIs (started over its services by the `startApis` it is given) and
 * the load balancer client. start() brings them up in dependency order; close() takes them
 * down in reverse.
 */
export class Primary {
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #state: AcceptingState = { accepting: true, startedAt: Date.now() };
  readonly #store: Store;
  readonly #storeCounters: Readonly<StoreCounters>;
  /** MongoDB's local journal (writes it could not take yet); none for the embedded store. */
  readonly #journal: LocalJournal | undefined;
  readonly #metrics = new Metrics();
  readonly #lag = new EventLoopLag();
  readonly #cache: DataCache;
  readonly #messages: MessageCommitter;
  readonly #chatAdmin: ChatAdmin;
  readonly #moderators = new ModeratorRegistry();
  readonly #pool: WorkerPool;
  readonly #rooms: RoomDirectory;
  readonly #ports: PortAllocator;
  readonly #pruner: HistoryPruner;
  readonly #history: HistoryAdmin;
  readonly #backups: StoreBackups;
  readonly #recordings: PrimaryRecordings;
  readonly #startApis: StartApis;
  #apis: { close(): Promise<void> } | undefined;
  /** RTMP_PORT, when set. */
  #rtmpPort: SharedRtmpPort | undefined;
  /** The port RTMP_PORT bound (the system's pick for 0); null while off or not yet listening. */
  #rtmpBound: number | null = null;
  readonly #machineLoad = new MachineLoad();
  readonly #ingest: IngestProbe;
  #lbClient: LoadBalancerClient | undefined;
  #closing: Promise<void> | undefined;
  /** Resolves `closing`, at the first close. */
  #closeBegun: (reason: string) => void = () => undefined;
  readonly #closingReason = new Promise<string>((resolve) => (this.#closeBegun = resolve));

  readonly #control: ServerControl;
  readonly #webhooks: Webhooks;
  /** The API ports (the ones bound once listening: 0 is the system's pick): webhooks never post to them. */
  readonly #ownPorts: number[];

  /** `startApis` starts the public and admin APIs over this primary's services (http/startApis). */
  constructor(config: Config, logger: Logger, startApis: StartApis) {
    this.#config = config;
    this.#logger = logger;
    this.#startApis = startApis;
    this.#ingest = new IngestProbe(config.ffmpegPath);
    const raw = createStore(config, logger.child({ component: 'store' }));
    this.#journal = raw instanceof JournaledStore ? raw.journal : undefined;
    const { store, counters } = countingStore(raw, (kind, ms) => this.#metrics.observeStore(kind, ms));
    this.#store = store;
    this.#storeCounters = counters;
    this.#ownPorts = [config.port, config.adminPort];
    this.#webhooks = new Webhooks({
      store: openedWebhooks(() => store),
      logger: logger.child({ component: 'webhooks' }),
      limits: config.webhooks,
      ownPorts: this.#ownPorts,
      interestChanged: (types) => this.#pool.broadcast('webhooks.interest', { types }),
      sendInThread: true,
    });
    this.#pool = new WorkerPool({
      size: config.workers,
      logger: logger.child({ component: 'workers' }),
      env: workerEnvironment(config),
      setupChannel: (channel, slot) =>
        installPrimaryIpcHandlers(channel, slot.index, { cache: this.#cache, messages: this.#messages, chatAdmin: this.#chatAdmin, moderators: this.#moderators, rooms: this.#rooms, recordings: this.#recordings, webhooks: this.#webhooks }),
    });
    this.#recordings = new PrimaryRecordings(config, store, this.#pool, logger.child({ component: 'recordings' }));
    this.#messages = new MessageCommitter({
      store,
      logger: logger.child({ component: 'messages' }),
      maxBatch: config.commitMaxMessages,
      observe: (messages, ms, ok) => this.#metrics.observeCommit(messages, ms, ok),
      outbox: this.#webhooks,
    });
    this.#pool.on('ready', (slot) => slot.channel?.notify('webhooks.interest', { types: this.#webhooks.wantedTypes() }));
    this.#cache = new DataCache({
      store,
      refreshMs: config.cacheRefreshMs,
      logger: logger.child({ component: 'cache' }),
      publish: (delta) => {
        this.#pool.broadcast('cache.delta', delta);
        // A retention setting may have changed: applied now rather than at the next pass.
        if (delta.settings) void this.#pruner.run();
      },
    });
    this.#ports = new PortAllocator(config.roomPorts);
    this.#rooms = new RoomDirectory({
      pool: this.#pool,
      store,
      ports: this.#ports,
      logger: logger.child({ component: 'rooms' }),
      // In batches; while MongoDB is away, one delete that its local journal takes instead. Its recordings go too.
      forgetHistory: (room) =>
        this.#history
          .erase(room)
          .catch((error: unknown) => {
            this.#logger.warn({ err: error, room }, 'room history not erased in batches; deleting it in one go');
            return store.deleteMessages(room);
          })
          .then(() => this.#recordings.library.forgetRoom(room)),
      clearLeftovers: async (room) => {
        await this.#history.eraseLeftovers(room);
      },
      outbox: this.#webhooks,
    });
    this.#chatAdmin = new ChatAdmin(store, this.#cache, this.#pool, this.#rooms, this.#moderators, { maxRoomBans: config.maxRoomBans }, logger.child({ component: 'chat-admin' }), this.#webhooks);
    this.#pruner = new HistoryPruner({
      store,
      logger: logger.child({ component: 'retention' }),
      settings: () => this.#cache.snapshot().settings,
      rooms: () => this.#rooms.list(),
    });
    const forgetRecent = (room: string) => this.#pool.broadcast('room.historyDeleted', { room });
    this.#history = new HistoryAdmin({ store, messages: this.#messages, roomExists: (room) => this.#rooms.get(room) !== undefined, forgetRecent, logger: logger.child({ component: 'history' }) });
    this.#backups = new StoreBackups({ store, dir: path.join(config.dataDir, 'backups'), keep: config.backupKeep, logger: logger.child({ component: 'backup' }) });
    this.#control = new ServerControl({ pool: this.#pool, rooms: this.#rooms, state: this.#state, logger, close: (reason) => this.close(reason), drained: () => void this.#webhooks.raise([{ type: 'server.draining', room: null, at: Date.now(), data: { host: config.publicHost } }]) });
  }

  /** Resolves with the reason once a close has begun, whoever asked for it (a signal, the admin API). */
  get closing(): Promise<string> {
    return this.#closingReason;
  }

  async start(): Promise<void> {
    // Started now so that /health has the answer by the time it is asked.
    void this.#ingest.capabilities();
    const storeUp = await openStore(this.#store, this.#config.dataDir, this.#logger);
    // Always: with MongoDB away, the journal's recent messages are there to recognise resends of.
    await this.#messages.loadRecentRefs().catch((error: unknown) => this.#logger.warn({ err: error }, 'recent message refs not loaded; resends of messages stored before this start may be stored twice'));
    await this.#cache.start(storeUp);
    if (storeUp) await this.#recordings.start();
    if (storeUp) await this.#startWebhooks();
    await this.#pool.start();
    if (storeUp) {
      await this.#rooms.restore();
      this.#maintainHistory();
    } else {
      this.#store.health?.once('up', () => void this.#storeArrived());
    }
    this.#store.health?.on('up', () => void this.#cache.refresh());

    const services: PrimaryServices = {
      config: this.#config,
      logger: this.#logger,
      rooms: this.#rooms,
      state: this.#state,
      chatAdmin: this.#chatAdmin,
      history: this.#history,
      recordings: this.#recordings.library,
      recordingChat: new RecordingChat({ store: this.#store, recordings: this.#recordings.library, rooms: this.#rooms, cache: this.#cache, tokenKey: this.#config.tokenKey, logger: this.#logger.child({ component: 'recording-chat' }) }),
      backups: this.#backups,
      control: this.#control,
      webhooks: this.#webhooks,
      readyWorkers: () => this.#pool.readySlots().length,
      ingest: () => this.#ingestCapabilities(),
      workerPid: (slot) => this.#pool.slots[slot]?.pid,
      stats: () => this.stats(),
      metrics: async () => ({ contentType: this.#metrics.registry.contentType, text: await this.#metrics.render(await this.stats(), this.#lag.readP99Ms()) }),
    };
    const apis = await this.#startApis(services);
    this.#apis = apis;

    const { port, adminPort } = apis;
    this.#ownPorts.push(port, adminPort);
    const rtmpPort = await this.#listenRtmp();
    this.#lbClient = startLoadBalancerClient(this.#config, { port, adminPort }, this.#logger, () => healthReport(this.#state.accepting, this.#rooms.list(), this.#machineLoad, this.#config.publicHost));
    this.#logger.info(
      {
        port,
        adminPort,
        ...(rtmpPort === undefined ? {} : { rtmpPort }),
        adminTls: Boolean(this.#config.tls),
        workers: this.#config.workers,
        rooms: this.#rooms.list().length,
        store: this.#store.kind,
      },
      'chatserver ready',
    );
  }

  async stats(): Promise<ServerStats> {
    const workersAndRooms = await poolStats(this.#pool, this.#rooms, this.#logger);
    const snapshot = this.#cache.snapshot();
    const memory = process.memoryUsage();
    return {
      uptimeS: Math.round((Date.now() - this.#state.startedAt) / 1000),
      accepting: this.#state.accepting,
      ...workersAndRooms,
      ports: { ...this.#config.roomPorts, used: this.#ports.used },
      store: { kind: this.#store.kind, up: this.#store.health?.up ?? true, journalEntries: this.#journal?.depth ?? 0, journalSetAside: this.#journal?.setAside ?? 0, ...this.#storeCounters },
      messages: { ...this.#messages.counters },
      retention: { ...this.#pruner.counters },
      recordings: this.#recordings.stats(),
      cache: { version: snapshot.version, loadedAt: snapshot.loadedAt ? new Date(snapshot.loadedAt).toISOString() : null, ...this.#cache.counters },
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      ingest: await this.#ingestCapabilities(),
      webhooks: this.#webhooks.stats(),
    };
  }

  /**
   * Graceful shutdown: stop accepting, close listeners, rooms and workers, flush the store. The
   * one way down for a signal, the admin API and a failed start; a second call gets the first's promise.
   */
  close(reason: string): Promise<void> {
    if (!this.#closing) {
      this.#closeBegun(reason);
      this.#closing = this.#close(reason);
    }
    return this.#closing;
  }

  async #close(reason: string): Promise<void> {
    this.#logger.info({ reason }, 'shutting down');
    this.#state.accepting = false;
    this.#rtmpPort?.close();
    await this.#apis?.close();
    await this.#lbClient?.close(true);
    this.#rooms.close();
    await this.#pool.stop(reason);
    await this.#pruner.close();
    await this.#recordings.close();
    await this.#messages.close();
    this.#webhooks.close();
    this.#cache.close();
    await this.#backups.close();
    await this.#store.close();
    this.#logger.info('shutdown complete');
  }

  /** Starts the shared RTMP port when RTMP_PORT is set; resolves with the port bound. */
  async #listenRtmp(): Promise<number | undefined> {
    if (this.#config.rtmpPort === undefined) return undefined;
    this.#rtmpPort = new SharedRtmpPort({
      port: this.#config.rtmpPort,
      tokenKey: this.#config.tokenKey,
      route: (name) => this.#rtmpRoute(name),
      accepting: () => this.#state.accepting,
      maxConnectionsPerIp: this.#config.maxConnectionsPerIp,
      logger: this.#logger.child({ component: 'rtmp-port' }),
    });
    this.#rtmpBound = await this.#rtmpPort.listen();
    return this.#rtmpBound;
  }

  async #ingestCapabilities(): Promise<IngestCapabilities> {
    return { ...(await this.#ingest.capabilities()), rtmpPort: this.#rtmpBound };
  }

  /** A room's epoch and, while it is open in a ready worker, that worker's channel. */
  #rtmpRoute(name: string): RtmpRoute | undefined {
    const room = this.#rooms.get(name);
    if (room === undefined) return undefined;
    const slot = this.#pool.slots[room.slot];
    const open = room.status === 'open' && slot?.state === 'ready';
    return { epoch: room.createdAt, channel: open ? slot.channel : undefined };
  }

  /** After a start without the store, once it answers: the recent refs, the stored rooms, then retention. */
  async #storeArrived(): Promise<void> {
    this.#logger.warn('store reachable: restoring stored rooms');
    await this.#messages.loadRecentRefs().catch((error: unknown) => this.#logger.warn({ err: error }, 'recent message refs not loaded'));
    await this.#rooms.restore().catch((error: unknown) => this.#logger.error({ err: error }, 'restoring rooms failed'));
    await this.#recordings.start();
    await this.#startWebhooks();
    this.#maintainHistory();
  }

  /** Endpoints and the deliveries a previous run left due; a failure leaves webhooks off, the server up. */
  async #startWebhooks(): Promise<void> {
    await this.#webhooks.start().catch((error: unknown) => this.#logger.error({ err: error }, 'webhooks not started: the store did not answer'));
  }

  /** Once the rooms are known: retention, and the history of deleted rooms whose erase a stop cut short. */
  #maintainHistory(): void {
    this.#pruner.start();
    this.#history.eraseOrphans((room) => this.#rooms.get(room) !== undefined).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'could not erase the history deleted rooms left behind; retrying at the next start');
    });
  }
}
