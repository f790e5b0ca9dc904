import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadLbConfig } from '../../loadbalancer/src/lbConfig.js';
import { PLACEMENT_POLICIES } from '../../loadbalancer/src/placementPolicies.js';
import { Registry } from '../../loadbalancer/src/Registry.js';
import type { HealthReport } from '../../src/contracts/lbWire.js';

const RULES = { heartbeatMs: 1_000, staleAfterBeats: 3, warningLoad: 0.7, fullLoad: 0.9, dropAfterMs: 10_000 };

function registry(policy: keyof typeof PLACEMENT_POLICIES = 'least-loaded') {
  const clock = { now: 0 };
  const reg = new Registry({ ...RULES, policy: PLACEMENT_POLICIES[policy], logger: pino({ level: 'silent' }), now: () => clock.now });
  const add = (id: string) => reg.register({ id, url: `http://${id}:80`, adminUrl: `http://${id}:8090`, host: id, workers: 2, version: '1.0.0' });
  return { reg, clock, add };
}

function report(cpu: number, extra: Partial<HealthReport> = {}): HealthReport {
  return { status: 'available', load: { cpu, memory: 0.1, rooms: 0, clients: 0 }, rooms: [], ...extra };
}

describe('Registry', () => {
  it('turns load into available / warning / full, and a draining report into draining', () => {
    const { reg, add } = registry();
    for (const id of ['a', 'b', 'c', 'd']) add(id);
    reg.heartbeat('a', report(0.2));
    reg.heartbeat('b', report(0.75));
    reg.heartbeat('c', report(0.95));
    reg.heartbeat('d', report(0.1, { status: 'available', accepting: false }));
    expect(Object.fromEntries(reg.list().map(({ server, state }) => [server.id, state]))).toEqual({ a: 'available', b: 'warning', c: 'full', d: 'draining' });
  });

  it('marks a server stale after 3 missed heartbeats, back when it reports, dropped after a long silence', () => {
    const { reg, clock, add } = registry();
    add('a');
    clock.now = 3_000;
    expect(reg.state(reg.get('a')!)).toBe('available');
    clock.now = 3_001;
    expect(reg.state(reg.get('a')!)).toBe('stale');
    reg.heartbeat('a', report(0.1));
    expect(reg.state(reg.get('a')!)).toBe('available');
    clock.now = 3_001 + 10_001;
    reg.sweep();
    expect(reg.get('a')).toBeUndefined();
    expect(reg.heartbeat('a', report(0.1))).toBeUndefined();
    reg.close();
  });

  it('orders candidates by the policy, available before warning, never full, draining or stale', () => {
    const { reg, clock, add } = registry();
    for (const id of ['busy', 'idle', 'warm', 'full', 'gone']) add(id);
    reg.heartbeat('busy', report(0.5));
    reg.heartbeat('idle', report(0.1));
    reg.heartbeat('warm', report(0.8));
    reg.heartbeat('full', report(0.99));
    clock.now = 2_500;
    for (const id of ['busy', 'idle', 'warm', 'full']) reg.heartbeat(id, report(reg.get(id)!.load.cpu));
    clock.now = 5_000;
    for (const id of ['busy', 'idle', 'warm', 'full']) reg.heartbeat(id, report(reg.get(id)!.load.cpu));
    expect(reg.candidates().map((server) => server.id)).toEqual(['idle', 'busy', 'warm']);
  });

  it('fewest-rooms spreads rooms where least-loaded follows CPU', () => {
    const { reg, add } = registry('fewest-rooms');
    add('many');
    add('few');
    reg.heartbeat('many', report(0.1, { load: { cpu: 0.1, memory: 0.1, rooms: 40, clients: 0 } }));
    reg.heartbeat('few', report(0.5, { load: { cpu: 0.5, memory: 0.1, rooms: 2, clients: 0 } }));
    expect(reg.candidates().map((server) => server.id)).toEqual(['few', 'many']);
  });

  it('lists rooms across servers, the most recently seen server winning a name, stale servers left out', () => {
    const { reg, clock, add } = registry();
    add('a');
    add('b');
    reg.heartbeat('a', report(0.1, { rooms: [{ name: 'lobby', port: 34000, clients: 3, live: true }, { name: 'dup', port: 34001, clients: 0, live: false }] }));
    clock.now = 10;
    reg.heartbeat('b', report(0.1, { rooms: [{ name: 'dup', port: 35000, clients: 1, live: false }] }));
    expect(reg.rooms()).toEqual([
      { name: 'dup', server: 'b', host: 'b', url: 'http://b:80', port: 35000, clients: 1, live: false },
      { name: 'lobby', server: 'a', host: 'a', url: 'http://a:80', port: 34000, clients: 3, live: true },
    ]);
    clock.now = 3_011;
    reg.heartbeat('a', report(0.1, { rooms: [{ name: 'lobby', port: 34000, clients: 3, live: true }] }));
    expect(reg.rooms().map((room) => room.name)).toEqual(['lobby']);
  });
});

describe('loadLbConfig', () => {
  it('needs LOADBALANCER_KEY and checks the thresholds, naming the variable', () => {
    expect(() => loadLbConfig({})).toThrow(/LOADBALANCER_KEY/);
    expect(loadLbConfig({ LOADBALANCER_KEY: 'k' })).toMatchObject({ port: 2000, heartbeatMs: 2000, staleAfterBeats: 3, placement: 'least-loaded' });
    expect(() => loadLbConfig({ LOADBALANCER_KEY: 'k', WARNING_LOAD: '0.95' })).toThrow(/WARNING_LOAD/);
    expect(() => loadLbConfig({ LOADBALANCER_KEY: 'k', HEARTBEAT_MS: '5' })).toThrow(/HEARTBEAT_MS/);
    expect(() => loadLbConfig({ LOADBALANCER_KEY: 'k', PLACEMENT: 'random' })).toThrow(/PLACEMENT/);
    expect(() => loadLbConfig({ LOADBALANCER_KEY: 'k', TLS_CERT: '/x' })).toThrow(/TLS_KEY/);
  });
});
