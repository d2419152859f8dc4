import type { Mutation, MutationResult } from '@parley/protocol';

/** What views may ask of the sync engine: mutations, and the best-effort typing signal. */
export type ThreadActions = {
  mutate: (mutation: Mutation) => Promise<MutationResult>;
  typing: (conversationId: string) => void;
};
