import { collectDefaultMetrics, type Registry } from "prom-client";

/**
 * prom-client's process and Node.js metrics, minus the three gauges it names *_total
 * (active handles/requests/resources), which break the Prometheus naming rule promtool enforces.
 */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
    registry.removeSingleMetric(prefix + name);
}
