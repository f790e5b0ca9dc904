import type net from 'node:net';
import { IpcError } from '../ipc/IpcChannel.js';

/**
 * Binds a room's port in this worker alone (`exclusive`: never shared through the cluster
 * primary). Rejects with an IpcError the primary reports as it is: PORT_IN_USE, PORT_DENIED or
 * FAILED, naming the port.
 */
export function listenExclusive(server: net.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(port, error));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, exclusive: true });
  });
}

function listenError(port: number, error: NodeJS.ErrnoException): IpcError {
  if (error.code === 'EADDRINUSE') return new IpcError('PORT_IN_USE', `port ${port} is already in use`);
  if (error.code === 'EACCES') return new IpcError('PORT_DENIED', `no permission to listen on port ${port}`);
  return new IpcError('FAILED', `cannot listen on port ${port}: ${error.message}`);
}
