#!/usr/bin/env node
// The installed entry point: everything lives in the built CLI (npm run build). Its young generation is
// kept small before its modules load, which would otherwise grow it (dist/storage/young-generation.js).
import { keepYoungGenerationSmall } from "../dist/storage/young-generation.js";

keepYoungGenerationSmall();
const { run } = await import("../dist/cli.js");
run();
