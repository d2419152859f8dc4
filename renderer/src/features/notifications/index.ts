/** Telling the agent what arrived: notifications, and a summary after an absence. */
export { summaryText, useAnnouncements, type Summary } from './useAnnouncements.js';
export { useMentionAnnouncements } from './useMentionAnnouncements.js';
export { useDesktopShell } from './useDesktopShell.js';
