import net from 'node:net';
import { MongoClient, MongoError, MongoNetworkError, MongoNetworkTimeoutError, MongoOperationTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isMongoOutage } from '../../src/store/isMongoOutage.js';

/** Failures built as the driver builds them (bulk writes, write concerns: see mongoStore.test.ts against a fake server). */
describe('isMongoOutage', () => {
  const labelled = (label: string) => {
    const error = new MongoServerError({ message: 'failed', code: 11000 });
    error.addErrorLabel(label);
    return error;
  };

  it('calls an outage what says MongoDB could not be reached or did not answer in time', () => {
    for (const error of [
      new MongoNetworkError('connection 3 to 10.0.0.5:27017 closed'),
      new MongoNetworkTimeoutError('connection 3 to 10.0.0.5:27017 timed out'),
      new MongoOperationTimeoutError('Timed out during operation execution'),
      labelled('RetryableWriteError'),
      labelled('NetworkError'),
      new MongoServerError({ message: 'not primary', code: 10107 }),
      new MongoServerError({ message: 'interrupted due to repl state change', code: 11602 }),
      new MongoServerError({ message: 'waiting for replication timed out', code: 64 }),
      new MongoError('wrapped', { cause: new MongoNetworkError('closed') }),
    ]) {
      expect(isMongoOutage(error), error.message).toBe(true);
    }
  });

  it('calls an outage a server selection that found no server', async () => {
    // A port nothing listens on: the driver's own error, as when MongoDB is down.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/chat`, { serverSelectionTimeoutMS: 200 });
    const error = await client.db().command({ ping: 1 }).catch((failure: unknown) => failure);
    await client.close();
    expect(error).toBeInstanceOf(MongoServerSelectionError);
    expect(isMongoOutage(error)).toBe(true);
  });

  it('does not call an outage what MongoDB would refuse again', () => {
    for (const error of [
      new MongoServerError({ message: 'Document failed validation', code: 121 }),
      new MongoServerError({ message: 'object to insert too large', code: 10334 }),
      new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 }),
      new TypeError('Cannot read properties of undefined'),
      new Error('anything else'),
    ]) {
      expect(isMongoOutage(error), error.message).toBe(false);
    }
    expect(isMongoOutage('a string')).toBe(false);
    expect(isMongoOutage(undefined)).toBe(false);
  });
});
