/** A conversation in a window of its own (`?popout=<id>`): its thread and composer alone. */
export { PopOutLayout } from './PopOutLayout.js';
