import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lbEnv } from '../../loadbalancer/src/lbConfig.js';
import { envSchema } from '../../src/config/schema.js';
import { ROOT } from '../helpers/ServerProcess.js';

// Docker does not run on this machine, so the deployment files are checked as data: the
// services, ports, env names (against the real config schemas), healthchecks and policies.

interface Service {
  build?: { context: string; target: string };
  image?: string;
  restart?: string;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

// Compose applies YAML merge keys (`<<: *loadbalancer`), so the parser must too.
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('runs mongo, two load balancers and the chat server, each restarted and health-checked', () => {
    expect(Object.keys(services).sort()).toEqual(['chatserver', 'loadbalancer1', 'loadbalancer2', 'mongo']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck?.test[0], name).toBe('CMD');
    }
    expect(services.mongo!.image).toMatch(/^mongo:\d/);
    expect(services.mongo!.volumes).toEqual(['mongo-data:/data/db']);
  });

  it('publishes the ports of the original deployment', () => {
    expect(services.loadbalancer1!.ports).toEqual(['2000:2000']);
    expect(services.loadbalancer2!.ports).toEqual(['2001:2001']);
    expect(services.chatserver!.ports).toEqual(['80:80', '8090:8090', '1935:1935', '34000-34099:34000-34099', '34000-34099:34000-34099/udp', '40000-40099:40000-40099/udp']);
    expect(services.chatserver!.environment!.ROOM_PORTS).toBe('34000-34099');
    expect(services.loadbalancer1!.environment!.PORT).toBe('2000');
    expect(services.loadbalancer2!.environment!.PORT).toBe('2001');
  });

  it('wires the chat server to mongo and both load balancers with env names the code reads', () => {
    const chat = services.chatserver!.environment!;
    for (const name of Object.keys(chat)) expect(Object.keys(envSchema), name).toContain(name);
    for (const lb of ['loadbalancer1', 'loadbalancer2']) {
      for (const name of Object.keys(services[lb]!.environment!)) expect(Object.keys(lbEnv), `${lb} ${name}`).toContain(name);
      expect(services[lb]!.environment!.LOADBALANCER_KEY).toBe(chat.LOADBALANCER_KEY);
    }
    expect(chat.MONGODB_URI).toBe('mongodb://mongo:27017/chatserver');
    expect(chat.LOADBALANCERS).toBe('http://loadbalancer1:2000,http://loadbalancer2:2001');
    expect(chat.ADVERTISE_URL).toBe('http://chatserver:80');
    expect(services.chatserver!.depends_on!.mongo!.condition).toBe('service_healthy');
    // Keys must come from the operator, never a default baked into the file.
    for (const name of ['KEY', 'ADMIN_KEY', 'LOADBALANCER_KEY']) expect(chat[name]).toMatch(/^\$\{\w+:\?/);
  });

  it('builds the services from the Dockerfile targets: multi-stage, non-root, ffmpeg inside', () => {
    expect(services.chatserver!.build).toEqual({ context: '.', target: 'chatserver' });
    expect(services.loadbalancer1!.build).toEqual({ context: '.', target: 'loadbalancer' });
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    expect(stages).toEqual(['build', 'runtime', 'loadbalancer', 'chatserver']);
    for (const target of ['loadbalancer', 'chatserver']) {
      const stage = dockerfile.split(/^FROM /m).find((part) => part.includes(`AS ${target}\n`))!;
      expect(stage, target).toMatch(/^USER node$/m);
    }
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toContain('CMD ["node", "dist/main.js"]');
    expect(dockerfile).toContain('CMD ["node", "dist-lb/loadbalancer/src/main.js"]');
  });
});
