/**
 * Runs the benchmark's DuckDB reference (duckdbDetect.ts) in a fresh process and reports its own figures as
 * the last line on stderr, as detectRunner.ts does for `detect`: a child process so that its peak memory is
 * its own. Arguments: the alerts file to write, then the input files; BENCH_DUCKDB_MEMORY (default 4GB) is
 * DuckDB's memory limit, past which it spills into a folder beside the alerts file.
 */
import { dirname, join } from 'node:path';
import { runDuckdb } from './duckdbDetect.js';

const [alertsPath, ...files] = process.argv.slice(2);
const { seconds } = await runDuckdb(files, alertsPath!, {
  memoryLimit: process.env.BENCH_DUCKDB_MEMORY ?? '4GB',
  tempDirectory: join(dirname(alertsPath!), 'duckdb-spill'),
});
const usage = process.resourceUsage();
process.stderr.write(
  `${JSON.stringify({ code: 0, seconds, maxRssMiB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`,
);
