#!/usr/bin/env node
// Runs the built JavaScript (dist/) when current, else the TypeScript sources through tsx: see launch.mjs.
import { launch } from "./launch.mjs";

await launch("collector/cli");
