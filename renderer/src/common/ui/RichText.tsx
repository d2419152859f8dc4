import Link from '@mui/material/Link';
import Typography, { type TypographyProps } from '@mui/material/Typography';
import type { JSX } from 'react';
import { linkify } from '../linkify.js';

/** A message's text, with its http(s) addresses as links that open outside the app. */
export function RichText({
  text,
  variant = 'body1',
  testId,
}: {
  text: string;
  variant?: TypographyProps['variant'];
  testId?: string;
}): JSX.Element {
  return (
    <Typography variant={variant} sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid={testId}>
      {linkify(text).map((part, index) =>
        part.kind === 'link' ? (
          <Link key={index} href={part.href} target="_blank" rel="noopener noreferrer" color="inherit">
            {part.text}
          </Link>
        ) : (
          part.text
        ),
      )}
    </Typography>
  );
}
