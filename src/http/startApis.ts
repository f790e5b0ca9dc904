import type { AppContext } from './AppContext.js';
import { buildAdminApp } from './buildAdminApp.js';
import { buildPublicApp } from './buildPublicApp.js';
import { listenOn } from '../kit/listen.js';

/**
 * Builds the public API (PORT) and the admin API (ADMIN_PORT) and listens on both, resolving
 * with the ports bound. A listen that fails closes both and fails the start; `close` closes both.
 */
export async function startApis(ctx: AppContext): Promise<{ close(): Promise<void>; port: number; adminPort: number }> {
  const publicApp = buildPublicApp(ctx);
  const adminApp = buildAdminApp(ctx, ctx.workerPid);
  const close = async (): Promise<void> => {
    await Promise.allSettled([publicApp.close(), adminApp.close()]);
  };
  try {
    // The ports bound: PORT=0 and ADMIN_PORT=0 let the system pick.
    const port = await listenOn(publicApp, ctx.config.port, 'PORT');
    const adminPort = await listenOn(adminApp, ctx.config.adminPort, 'ADMIN_PORT');
    return { close, port, adminPort };
  } catch (error) {
    await close();
    throw error;
  }
}
