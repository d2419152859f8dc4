import { useColorScheme } from '@mui/material/styles';
import { useEffect } from 'react';
import type { Settings } from '../features/settings/index.js';

/** Applies the theme the agent chose (the system's, light or dark) at once. */
export function useAppearance(choice: Settings['theme']): void {
  const { setMode } = useColorScheme();
  useEffect(() => {
    setMode(choice);
  }, [choice, setMode]);
}
