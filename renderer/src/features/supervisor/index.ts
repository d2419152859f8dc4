/** The supervisor's live view: the queue, the agents, assignment by drag or menu, and metrics. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const SupervisorScreen = lazyComponent(() =>
  import('./SupervisorScreen.js').then((module) => module.SupervisorScreen),
);
export { PresenceDot } from './PresenceDot.js';
