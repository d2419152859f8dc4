/** Canned responses: the ones an agent may use, and the screen that manages them. */
export { useCannedResponses } from './useCannedResponses.js';
