import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/createLogger.js';
import { scrubSecrets } from '../../src/kit/redaction.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('scrubSecrets', () => {
  it.each([
    [`/watch/r?token=${JWT}`, '/watch/r?token=[redacted]'],
    ['/x?a=1&key=SECRET_VALUE&b=2', '/x?a=1&key=[redacted]&b=2'],
    ['/x?api_key=abc#frag', '/x?api_key=[redacted]#frag'],
    [`failed: token ${JWT} refused`, 'failed: token [redacted] refused'],
    ['authorization: Bearer abc.def', 'authorization: Bearer [redacted]'],
    ['{"x-api-key":"k123"}', '{"x-api-key":"[redacted]"}'],
    ['/ingest?monkey=1', '/ingest?monkey=1'],
    ['nothing secret here', 'nothing secret here'],
  ])('%s', (input, output) => {
    expect(scrubSecrets(input)).toBe(output);
  });

  it('replaces the given secrets literally, but not short ones that would match words', () => {
    expect(scrubSecrets('key is super-secret-key-1 here', ['super-secret-key-1'])).toBe('key is [redacted] here');
    expect(scrubSecrets('the word abc stays', ['abc'])).toBe('the word abc stays');
  });
});

describe('createLogger', () => {
  it('redacts key and token fields, headers and secrets inside any text', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('debug', {}, { secrets: ['the-configured-api-key'], destination });
    logger.info({ token: JWT, key: 'k', headers: { authorization: 'Bearer x', 'x-api-key': 'y' }, url: `/p?token=${JWT}` }, 'request');
    logger.error({ err: new Error(`bad token ${JWT} with the-configured-api-key`) }, 'failed');
    const text = lines.join('');
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('the-configured-api-key');
    expect(text).not.toContain('Bearer x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: '[redacted]', key: '[redacted]', url: '/p?token=[redacted]' });
  });
});
