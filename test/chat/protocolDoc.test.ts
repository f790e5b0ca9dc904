import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAT_ERRORS } from '../../src/contracts/chatErrors.js';
import { CLOSE } from '../../src/contracts/closeCodes.js';
import { CLIENT_TYPES, SERVER_TYPES, type ServerFrame } from '../../src/contracts/chatFrames.js';

// SERVER_TYPES names every ServerFrame: this line stops compiling when a frame type is missing from it.
const everyServerType: [Exclude<ServerFrame['type'], (typeof SERVER_TYPES)[number]>] extends [never] ? true : false = true;

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/protocol.md'), 'utf8');

describe('docs/protocol.md', () => {
  it('lists every error code, and no other', () => {
    const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('## Close codes'));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CHAT_ERRORS).sort());
  });

  it('lists every close code, and no other', () => {
    const section = doc.slice(doc.indexOf('## Close codes'));
    const documented = [...section.matchAll(/^\| `(\d{4})` \|/gm)].map((m) => Number(m[1]));
    expect(documented.sort()).toEqual(Object.values(CLOSE).map((c) => c.code).sort());
  });

  it('describes every client frame type', () => {
    for (const type of CLIENT_TYPES) expect(doc).toContain(`{"type":"${type}"`);
  });

  it('lists every server frame type, and no other', () => {
    expect(everyServerType).toBe(true);
    const section = doc.slice(doc.indexOf('## Server → client'), doc.indexOf('## Delivery'));
    const documented = [...section.matchAll(/^\| `([a-z]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...SERVER_TYPES].sort());
  });
});
