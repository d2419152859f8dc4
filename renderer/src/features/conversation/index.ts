/** One conversation: its thread, composer, controls and messages. */
export { ThreadView } from './ThreadView.js';
/** The actions on the open conversation, shared by its controls, the command palette and the keyboard. */
export { ConversationActionsProvider, useConversationActions } from './controls/ConversationActions.js';
export { conversationCommands, ACTION_SHORTCUTS, type ConversationActionsApi } from './controls/actionCommands.js';
