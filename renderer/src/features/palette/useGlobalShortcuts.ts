import { useEffect, useRef } from 'react';
import { createShortcutMatcher, isMac, isTypingTarget, parseShortcut, type Command } from '../../common/commands.js';

/** Is a dialog, a menu or a popover open? Their own keys win over the page's. */
function modalOpen(): boolean {
  return document.querySelector('.MuiModal-root:not(.MuiModal-hidden)') !== null;
}

/** Keys that buttons, menus and the thread use for themselves: shortcuts only on the page or in the list. */
const LIST_KEYS = new Set(['Enter', 'ArrowDown', 'ArrowUp']);

function withModifier(command: Command): boolean {
  return command.shortcut !== undefined && parseShortcut(command.shortcut).some((chord) => chord.mod);
}

/**
 * The page's keyboard: each key press that completes a command's shortcut runs it.
 * - Letters are text while the agent types in a field, so only the commands marked
 *   `whileTyping` (Escape, Ctrl/⌘+K) work there; while a dialog or menu is open only those
 *   do, and Escape is left to the dialog.
 * - Enter and the arrows work only when the focus is on the page itself or in `listRegion`.
 * - A press something else already handled (`defaultPrevented`) is left alone, except the
 *   modifier shortcuts marked `whileTyping` (Ctrl/⌘+K), which are the app's wherever the
 *   focus is and are taken before anything else sees them.
 */
export function useGlobalShortcuts(commands: readonly Command[], listRegion: () => HTMLElement | null): void {
  const latest = useRef(commands);
  const region = useRef(listRegion);
  useEffect(() => {
    latest.current = commands;
    region.current = listRegion;
  });

  useEffect(() => {
    const mac = isMac();
    const first = createShortcutMatcher(mac);
    const matcher = createShortcutMatcher(mac);

    const onCapture = (event: KeyboardEvent): void => {
      const found = first.press(
        event,
        latest.current.filter((command) => command.whileTyping === true && withModifier(command)),
      );
      if (found === null || found === 'pending') return;
      event.preventDefault();
      event.stopPropagation();
      found.run();
    };

    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing || (event.repeat && event.key.length === 1)) return;
      const typing = isTypingTarget(event.target);
      const inModal = modalOpen();
      if (LIST_KEYS.has(event.key) && !inModal && !typing) {
        const active = document.activeElement;
        const list = region.current();
        const onPageOrList = active === null || active === document.body || (list !== null && list.contains(active));
        if (!onPageOrList) return;
      }
      const usable = latest.current.filter((command) => {
        if (withModifier(command) && command.whileTyping === true) return false;
        if (inModal) return false;
        if (typing) return command.whileTyping === true;
        return true;
      });
      const found = matcher.press(event, usable);
      if (found === null) return;
      event.preventDefault();
      if (found !== 'pending') found.run();
    };
    window.addEventListener('keydown', onCapture, true);
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onCapture, true);
      window.removeEventListener('keydown', onKeyDown);
    };
  }, []);
}
