export { IngestInterruptedError, ingestEvents, type IngestOptions, type IngestResult } from './ingest.js';
