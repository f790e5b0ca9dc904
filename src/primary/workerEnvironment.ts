import type { Config } from '../config/Config.js';
import { PRIMARY_ONLY_ENV, WORKER_TOKEN_KEY_ENV } from '../config/loadConfig.js';

/**
 * What a room worker's environment changes from the primary's: it gets the token key (to check
 * join tokens) and none of the primary's secrets (KEY, ADMIN_KEY, TOKEN_SECRET,
 * LOADBALANCER_KEY, MONGODB_URI), so a compromised worker, or anything reading its
 * environment, holds no key to the APIs, the load balancers or the database.
 */
export function workerEnvironment(config: Pick<Config, 'tokenKey'>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = Object.fromEntries(PRIMARY_ONLY_ENV.map((name) => [name, undefined]));
  env[WORKER_TOKEN_KEY_ENV] = Buffer.from(config.tokenKey).toString('base64url');
  return env;
}
