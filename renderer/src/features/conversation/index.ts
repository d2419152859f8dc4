/** One conversation: its thread, composer, controls and messages. */
export { ThreadView } from './ThreadView.js';
