export { Agents, tokenHash } from './agents.js';
