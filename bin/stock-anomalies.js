#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script); this shim only loads it.
import { main } from '../dist/cli/main.js';

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const code = await main(process.argv.slice(2));
// Ends explicitly once stdout and stderr have taken everything written to them. Left to end by itself with an
// empty event loop, Node 20 now and then hung for ever at exit: a V8 compile job on a background thread waited
// for a garbage collection that the exiting main thread, itself waiting for that job, never ran.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
);
process.exit(code);
