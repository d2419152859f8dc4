export {
  OFFLINE_AFTER_MS,
  PresenceTracker,
  presenceOf,
  usePresence,
  type PresenceService,
  systemClock,
  type PresenceClock,
  type PresenceState,
} from './presence.js';
export { LEASE_MS, SharedPresence } from './shared.js';
