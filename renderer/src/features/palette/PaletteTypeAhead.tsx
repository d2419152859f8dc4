import { useEffect, type RefObject } from 'react';

/** What the agent typed while the palette's code was still loading. */
export type TypedAhead = { text: string; enter: boolean };

/**
 * Shown instead of the palette while its code loads (a Ctrl/⌘+K in the first seconds after
 * start): keeps what the agent types, so none of it is lost or taken by the list as a
 * shortcut. The palette starts with that text and, if Enter came too, runs its best match.
 * Escape closes the palette before it shows.
 */
export function PaletteTypeAhead({
  typedRef,
  onEscape,
}: {
  typedRef: RefObject<TypedAhead>;
  onEscape: () => void;
}): null {
  useEffect(() => {
    typedRef.current = { text: '', enter: false };
    const onKey = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      const typed = typedRef.current;
      if (event.key === 'Escape') {
        typedRef.current = { text: '', enter: false };
        onEscape();
      } else if (event.key === 'Enter') typed.enter = true;
      else if (event.key === 'Backspace') typed.text = typed.text.slice(0, -1);
      else if (event.key.length === 1) typed.text += typed.enter ? '' : event.key;
      else return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [typedRef, onEscape]);
  return null;
}
