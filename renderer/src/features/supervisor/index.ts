/** The supervisor's live view: the queue, the agents, assignment by drag or menu, and metrics. */
export { SupervisorScreen } from './SupervisorScreen.js';
export { PresenceDot } from './PresenceDot.js';
