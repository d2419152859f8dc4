import type { Agent, Conversation, Mutation } from '@parley/protocol';
import type { JSX } from 'react';
import { newClientId } from '../../../common/clientId.js';
import { ConversationControls } from '../controls/ConversationControls.js';

/** Assignment, status and labels of the conversation, each change made a mutation. */
export function ThreadControls({
  conversation,
  agents,
  agentId,
  onChange,
}: {
  conversation: Conversation;
  agents: Agent[];
  agentId: string;
  onChange: (mutation: Mutation) => void;
}): JSX.Element {
  return (
    <ConversationControls
      status={conversation.status}
      assigneeId={conversation.assigneeId}
      agents={agents}
      myId={agentId}
      labels={conversation.labels}
      onAssign={(assigneeId) =>
        onChange({ type: 'conversation.assign', clientId: newClientId(), conversationId: conversation.id, assigneeId })
      }
      onStatus={(status) =>
        onChange({ type: 'conversation.setStatus', clientId: newClientId(), conversationId: conversation.id, status })
      }
      onAddLabel={(label) =>
        onChange({
          type: 'conversation.label',
          clientId: newClientId(),
          conversationId: conversation.id,
          label,
          action: 'add',
        })
      }
      onRemoveLabel={(label) =>
        onChange({
          type: 'conversation.label',
          clientId: newClientId(),
          conversationId: conversation.id,
          label,
          action: 'remove',
        })
      }
    />
  );
}
