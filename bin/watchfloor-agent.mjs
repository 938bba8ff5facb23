#!/usr/bin/env -S node --optimize-for-size --no-opt
// Runs the built JavaScript (dist/) when current, else the TypeScript sources through tsx: see launch.mjs.
// V8 flags for a small resident daemon (the agent is I/O-bound: it waits on devices most of the time):
//   --optimize-for-size  a 1 MB young generation instead of up to 16 MB semispaces, and an old
//                        generation that grows more slowly;
//   --no-opt             no TurboFan: code runs in the interpreter and the baseline compiler, sparing
//                        the optimising compiler's code, zones and deoptimisation data.
// At 500 SNMP devices they take the agent from ~129 MB to ~81 MB resident for ~1.7× the CPU, still
// below prometheus-snmp-exporter's (npm run bench:agent; README "Agent footprint"). They apply when
// the file is executed (systemd's ExecStart, npx); `node bin/watchfloor-agent.mjs` runs without them.
import { launch } from "./launch.mjs";

await launch("agent/cli");
