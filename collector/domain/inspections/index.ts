/** Inspection rounds (巡检) and the hidden-hazard loop (隐患排查): the pure core. */
export * from "./answers.ts";
export * from "./cron.ts";
export * from "./hazard.ts";
export * from "./roles.ts";
export * from "./round.ts";
export * from "./schedule.ts";
export * from "./summary.ts";
export * from "./template.ts";
