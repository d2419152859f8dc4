/** Canned responses: the ones an agent may use, and the panel that manages them. */
export { CannedResponsesPanel } from './CannedResponsesPanel.js';
export { useCannedResponses } from './useCannedResponses.js';
