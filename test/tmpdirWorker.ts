/** Each unit test file's temporary files go in the run's directory (test/tmpdirSetup.ts). */
import { inject } from 'vitest';

process.env.TMPDIR = inject('testTmpdir');
