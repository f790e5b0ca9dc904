import type { AppContext } from './AppContext.js';
import { buildAdminApp } from './buildAdminApp.js';
import { buildPublicApp } from './buildPublicApp.js';
import { listenOn } from './listen.js';

/**
 * Builds the public API (PORT) and the admin API (ADMIN_PORT) and listens on both. A listen
 * that fails closes both and fails the start; `close` closes both.
 */
export async function startApis(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const publicApp = buildPublicApp(ctx);
  const adminApp = buildAdminApp(ctx, ctx.workerPid);
  const close = async (): Promise<void> => {
    await Promise.allSettled([publicApp.close(), adminApp.close()]);
  };
  try {
    await listenOn(publicApp, ctx.config.port, 'PORT');
    await listenOn(adminApp, ctx.config.adminPort, 'ADMIN_PORT');
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
