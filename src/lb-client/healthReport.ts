import type { HealthReport } from '../contracts/lbWire.js';

/**
 * The report as load balancers older than the live listing take it: rooms without `listing`
 * (they validated room entries strictly). The same object when no room carries one.
 */
export function withoutListings(report: HealthReport): HealthReport {
  if (!report.rooms.some((room) => room.listing !== undefined)) return report;
  return { ...report, rooms: report.rooms.map(({ listing: _listing, ...room }) => room) };
}
