#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script); this shim only loads it.
import { main } from '../dist/cli/main.js';

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
