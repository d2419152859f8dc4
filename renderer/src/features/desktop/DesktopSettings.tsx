import type { JSX } from 'react';
import { SpellingSection } from './SpellingSection.js';
import { UpdatesSection } from './UpdatesSection.js';

/** The settings sections this feature adds, in their order. */
export const DESKTOP_SETTINGS_SECTIONS = ['spelling', 'updates'] as const;
export type DesktopSettingsSection = (typeof DESKTOP_SETTINGS_SECTIONS)[number];

export function isDesktopSettingsSection(value: string): value is DesktopSettingsSection {
  return (DESKTOP_SETTINGS_SECTIONS as readonly string[]).includes(value);
}

/** One of this feature's settings sections. */
export function DesktopSettings({ section }: { section: string }): JSX.Element | null {
  if (!isDesktopSettingsSection(section)) return null;
  return section === 'spelling' ? <SpellingSection /> : <UpdatesSection />;
}
