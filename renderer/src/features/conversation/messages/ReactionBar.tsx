import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Tooltip from '@mui/material/Tooltip';
import type { JSX } from 'react';
import { useT } from '../../../common/i18n/index.js';
import type { ReactionGroup } from '../../../domain/messageView.js';

/** The reactions under a bubble. The business's own can be clicked away. */
export function ReactionBar({
  groups,
  onRemoveOwn,
}: {
  groups: readonly ReactionGroup[];
  onRemoveOwn: () => void;
}): JSX.Element | null {
  const { t } = useT();
  if (groups.length === 0) return null;
  return (
    <Box
      sx={{ display: 'flex', gap: 0.5, mt: -0.75, px: 1, position: 'relative', zIndex: 1 }}
      role="group"
      aria-label={t('message.reactions')}
      data-testid="reactions"
    >
      {groups.map((group) => {
        const label = t(group.mine ? 'message.reactionAgent' : 'message.reactionCustomer', { emoji: group.emoji });
        const sx = {
          display: 'inline-flex',
          alignItems: 'center',
          bgcolor: 'background.paper',
          border: 1,
          borderColor: group.mine ? 'primary.main' : 'divider',
          borderRadius: 4,
          px: 0.75,
          minHeight: 24,
          fontSize: 14,
          gap: 0.5,
          boxShadow: 1,
        } as const;
        const content = (
          <>
            <span>{group.emoji}</span>
            {group.count > 1 && (
              <Box component="span" sx={{ fontSize: 12, color: 'text.secondary' }}>
                {group.count}
              </Box>
            )}
          </>
        );
        return (
          <Tooltip key={group.emoji} title={label}>
            {group.mine ? (
              <ButtonBase aria-label={label} onClick={onRemoveOwn} data-testid="reaction" data-mine="true" sx={sx}>
                {content}
              </ButtonBase>
            ) : (
              <Box component="span" role="img" aria-label={label} data-testid="reaction" data-mine="false" sx={sx}>
                {content}
              </Box>
            )}
          </Tooltip>
        );
      })}
    </Box>
  );
}
