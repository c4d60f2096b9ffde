/** The local stack's public API: endpoints for clients, and components/orchestration for `stack up|down|status`. */
export type { ComponentFactory, ProcessComponent, StackContext, StackLog } from './component.js';
export { createStackContext, infrastructureComponents, stackComponents } from './components.js';
export type { StackContextOptions } from './components.js';
export {
  STACK_HOST,
  STACK_NAMES,
  stackClientEnv,
  stackEndpoints,
  stackGlobalEnvLines,
  stackGoogleEnv,
} from './endpoints.js';
export type { StackEndpoints } from './endpoints.js';
export { componentStatus, launchComponent, logFilePath, stopComponent } from './lifecycle.js';
export type { ComponentState, ComponentStatus } from './lifecycle.js';
export { StackUpError, stackDown, stackStatus, stackUp, validateComponents } from './orchestrate.js';
export type { DownOptions, DownResult, StatusResult, UpAction, UpResult } from './orchestrate.js';
export { stackPaths } from './paths.js';
export type { StackPaths } from './paths.js';
export { isHttpOk, isPortOpen } from './probes.js';
export { MissingToolError } from './tools.js';
