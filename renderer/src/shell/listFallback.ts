import type { ListHandle } from '../features/inbox/index.js';

/**
 * A stand-in for the list's own handle, worked through the rows on screen, for as long as
 * the list has not given its handle: the keyboard moves, opens and searches either way.
 */
export function listFallback(region: HTMLElement): ListHandle {
  const rows = (): HTMLElement[] => [...region.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')];
  const current = (all: HTMLElement[]): number => {
    const active = document.activeElement;
    const focused = all.findIndex((row) => row === active || row.contains(active));
    return focused >= 0 ? focused : all.findIndex((row) => row.classList.contains('Mui-selected'));
  };
  return {
    focus() {
      const all = rows();
      (all[Math.max(0, current(all))] ?? region).focus();
    },
    move(delta) {
      const all = rows();
      const at = current(all);
      const next = all[at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + delta))];
      next?.focus();
      next?.scrollIntoView({ block: 'nearest' });
    },
    openCurrent() {
      const all = rows();
      all[current(all)]?.click();
    },
    focusSearch() {
      const search = region.querySelector<HTMLInputElement>('[data-testid="search-input"]');
      search?.focus();
      search?.select();
    },
  };
}
