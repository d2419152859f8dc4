import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, type JSX, type ReactNode } from 'react';

export type Suggestion = { id: string; primary: string; secondary: string; aside?: ReactNode };

/**
 * The list `/` or `@` opens above the composer. Focus stays in the text: the arrows move
 * the highlighted option (announced through aria-activedescendant), Enter or Tab picks it,
 * Escape closes the list. A click picks too.
 */
export function SuggestionList({
  id,
  label,
  items,
  active,
  emptyText,
  onPick,
  onHover,
  testId,
}: {
  id: string;
  label: string;
  items: readonly Suggestion[];
  active: number;
  /** Said when nothing matches, so the agent knows why the list is empty. */
  emptyText: string;
  onPick: (index: number) => void;
  onHover: (index: number) => void;
  testId: string;
}): JSX.Element {
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  return (
    <Paper
      elevation={6}
      sx={{ position: 'absolute', left: 16, right: 16, bottom: '100%', mb: 0.5, zIndex: 10, overflow: 'hidden' }}
      data-testid={testId}
    >
      {items.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 1.5 }} role="status">
          {emptyText}
        </Typography>
      ) : (
        <Box
          component="ul"
          ref={list}
          id={id}
          role="listbox"
          aria-label={label}
          sx={{ listStyle: 'none', m: 0, p: 0.5, maxHeight: 280, overflowY: 'auto' }}
        >
          {items.map((item, index) => (
            <Box
              component="li"
              key={item.id}
              id={`${id}-${index}`}
              role="option"
              aria-selected={index === active}
              data-index={index}
              data-testid={`${testId}-option`}
              // Keep the focus (and the caret) in the text while picking with the mouse.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => onPick(index)}
              onMouseEnter={() => onHover(index)}
              sx={{
                display: 'flex',
                alignItems: 'center',
                gap: 1.5,
                px: 1.5,
                py: 0.75,
                borderRadius: 1,
                cursor: 'pointer',
                bgcolor: index === active ? 'action.selected' : 'transparent',
                outline: index === active ? '2px solid' : 'none',
                outlineColor: 'primary.main',
                outlineOffset: -2,
              }}
            >
              {item.aside}
              <Box sx={{ minWidth: 0, flex: 1 }}>
                <Typography variant="body2" noWrap sx={{ fontWeight: 600 }}>
                  {item.primary}
                </Typography>
                <Typography variant="caption" color="text.secondary" noWrap component="div">
                  {item.secondary}
                </Typography>
              </Box>
            </Box>
          ))}
        </Box>
      )}
    </Paper>
  );
}
