export { generateDataset, GenerateOptionsError, type GenerateOptions } from './writeDataset.js';
export type { FileManifest, Manifest, PlantedItem } from './manifest.js';
export type { ExpectedReport, GapFigures } from './expectedReport.js';
export { DEFAULT_FAULT_RATES, FAULT_KINDS, type FaultKind, type FaultRates } from './faultPlan.js';
export { BAD_REASONS, type BadReason } from './badRows.js';
