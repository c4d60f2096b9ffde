/**
 * Runs `detect` in a fresh process for the benchmark and reports its own figures as the last line on stderr:
 * a child process so that its peak memory is its own. Alerts go to its standard output, which the benchmark
 * points at a file, as `detect ... > alerts.jsonl` would.
 */
import { main, syncOutputFd } from '../cli/api.js';

const stdout = process.stdout;
const stdoutFd = syncOutputFd(stdout);
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const started = process.hrtime.bigint();
const code = await main(process.argv.slice(2), {
  stdout,
  ...(stdoutFd === undefined ? {} : { stdoutFd }),
  stderr: sink,
  env: process.env,
  exitCode: 0,
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const usage = process.resourceUsage();
process.stderr.write(
  `${JSON.stringify({ code, seconds, maxRssMiB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`,
);
// As bin/stock-anomalies.js ends, and for the same reason.
await new Promise((done) => process.stdout.write('', done));
await new Promise((done) => process.stderr.write('', done));
process.exit(code);
