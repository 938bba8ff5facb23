import type { Logger } from "pino";
import type { Clock } from "../common/clock.ts";
import type { ClusterNode } from "./cluster/node.ts";
import type { Inventory, Policy } from "./domain/index.ts";
import type { FaultService } from "./fault-service.ts";
import type { InspectionService } from "./inspections/service.ts";
import type { EventTimeGuard } from "./event-time-guard.ts";
import type { AgentLiveness } from "./liveness.ts";
import type { CollectorMetrics } from "./metrics.ts";
import type { CollectorStore } from "./store/store.ts";

/** What every route plugin gets: the collector's services, passed in (no singletons). */
export interface CollectorContext {
  clock: Clock;
  store: CollectorStore;
  faults: FaultService;
  liveness: AgentLiveness;
  /** Bounds on the times agents report (collector.ingest). */
  eventTimes: EventTimeGuard;
  metrics: CollectorMetrics;
  policy: Policy;
  inventory: Inventory;
  logger: Logger;
  inspections: InspectionService;
  /** collector.ha: this node of an active/standby cluster; absent for a lone collector. */
  cluster?: ClusterNode;
}
