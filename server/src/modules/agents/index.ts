export { Agents, INVITE_DAYS, agentWithTeams, tokenHash, type SignedIn, type UserPatch } from './agents.js';
export type { IssuedSession, SessionKey } from './sessions.js';
export { passwordWork } from './passwords.js';
