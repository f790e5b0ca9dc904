import type { Logger } from '../kit/createLogger.js';
import type { HealthReport, Registration } from '../contracts/lbWire.js';
import { LoadBalancerLink } from './LoadBalancerLink.js';

export interface LoadBalancerClientOptions {
  readonly urls: readonly string[];
  readonly key: string;
  readonly registration: Registration;
  readonly report: () => Promise<HealthReport>;
  readonly logger: Logger;
}

/** Registers with every load balancer in LOADBALANCERS, each on its own schedule. */
export class LoadBalancerClient {
  readonly #links: LoadBalancerLink[];

  constructor(options: LoadBalancerClientOptions) {
    const logger = options.logger.child({ component: 'lb-client' });
    this.#links = options.urls.map(
      (baseUrl) => new LoadBalancerLink({ baseUrl, key: options.key, registration: options.registration, report: options.report, logger }),
    );
  }

  start(): void {
    for (const link of this.#links) link.start();
  }

  registeredCount(): number {
    return this.#links.filter((link) => link.registered).length;
  }

  async close(deregister: boolean): Promise<void> {
    await Promise.all(this.#links.map((link) => link.close(deregister)));
  }
}
