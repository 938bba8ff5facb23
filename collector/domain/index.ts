/** The fault engine's public surface (pure: clock and ids are passed in). */
export * from "./audit-chain.ts";
export * from "./classify.ts";
export * from "./deadlines.ts";
export { ENGINE_ACTOR } from "./diff.ts";
export * from "./engine.ts";
export * from "./fault-key.ts";
export * from "./fault-out.ts";
export * from "./kpi.ts";
export * from "./live-changes.ts";
export * from "./live-engine.ts";
export * from "./period.ts";
export * from "./policy.ts";
export * from "./replay.ts";
export * from "./scenario.ts";
export * from "./time-format.ts";
export * from "./types.ts";
export { emptyArchive, isArchived, nextArchiveAt } from "./archive.ts";
