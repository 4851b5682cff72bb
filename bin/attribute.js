#!/usr/bin/env node
// The installed entry point: everything lives in the built CLI (npm run build).
import { run } from "../dist/cli.js";

run();
