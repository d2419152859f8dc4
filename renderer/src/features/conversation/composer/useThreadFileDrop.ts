import { useEffect, useState, type RefObject } from 'react';

/** The files a drag carries (not text or a link being dragged). */
function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * Files dropped anywhere on the open thread (the element `inside` sits in) go to `onAttach`:
 * the first, and whether there were more. Answers whether files are being dragged over it,
 * for the composer to show where they go. In a note (`refuse`), the drop is refused.
 */
export function useThreadFileDrop(
  inside: RefObject<HTMLElement | null>,
  refuse: boolean,
  onAttach: (file: File, more: boolean) => void,
): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const area = inside.current?.closest<HTMLElement>('[data-testid="thread"]') ?? inside.current;
    if (area === null || area === undefined) return;
    let depth = 0;
    const enter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const over = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer !== null) event.dataTransfer.dropEffect = refuse ? 'none' : 'copy';
    };
    const leave = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(event.dataTransfer?.files ?? [])];
      const first = files[0];
      if (first !== undefined) onAttach(first, files.length > 1);
    };
    area.addEventListener('dragenter', enter);
    area.addEventListener('dragover', over);
    area.addEventListener('dragleave', leave);
    area.addEventListener('drop', drop);
    return () => {
      area.removeEventListener('dragenter', enter);
      area.removeEventListener('dragover', over);
      area.removeEventListener('dragleave', leave);
      area.removeEventListener('drop', drop);
    };
  }, [inside, onAttach, refuse]);
  return dragging;
}
