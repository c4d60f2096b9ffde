/**
 * Runs `detect` in a fresh process for the benchmark and reports its own figures as the last line on stderr:
 * a child process so that its peak memory is its own. Alerts go to its standard output, which the benchmark
 * points at a file, as `detect ... > alerts.jsonl` would.
 */
import { main, processContext } from '../cli/api.js';

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const started = process.hrtime.bigint();
// The process's own context (stdout, and its descriptor where it is a file), its stderr kept for the figures.
const code = await main(process.argv.slice(2), { ...processContext(), stderr: sink });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const usage = process.resourceUsage();
process.stderr.write(
  `${JSON.stringify({ code, seconds, maxRssMiB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`,
);
// As bin/stock-anomalies.js ends, and for the same reason.
await new Promise((done) => process.stdout.write('', done));
await new Promise((done) => process.stderr.write('', done));
process.exit(code);
