export {
  OFFLINE_AFTER_MS,
  PresenceTracker,
  presenceOf,
  systemClock,
  type PresenceClock,
  type PresenceState,
} from './presence.js';
