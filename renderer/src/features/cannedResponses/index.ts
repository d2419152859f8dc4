/** Canned responses: the ones an agent may use, and the panel that manages them. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const CannedResponsesPanel = lazyComponent(() =>
  import('./CannedResponsesPanel.js').then((module) => module.CannedResponsesPanel),
);
export { useCannedResponses } from './useCannedResponses.js';
