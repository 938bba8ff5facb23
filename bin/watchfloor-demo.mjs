#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, so the sources are what runs (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../demo/start.ts");
process.exitCode = await main(process.argv.slice(2));
