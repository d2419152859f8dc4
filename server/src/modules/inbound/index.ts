export { ingestEvents } from './ingest.js';
