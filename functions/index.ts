/**
 * The package's main file: registers every function, so that functions-framework (locally) and Cloud Run
 * functions (deployed) pick one with `--target=ingest|detect|notify|escalate`.
 */
import './ingest/index.js';
import './detect/index.js';
import './notify/index.js';
import './escalate/index.js';
