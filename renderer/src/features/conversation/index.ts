/** One conversation: its thread, composer, controls and messages. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const ThreadView = lazyComponent(() => import('./ThreadView.js').then((module) => module.ThreadView));
/** The actions on the open conversation, shared by its controls, the command palette and the keyboard. */
export { ConversationActionsProvider, useConversationActions } from './controls/ConversationActions.js';
export { conversationCommands, ACTION_SHORTCUTS, type ConversationActionsApi } from './controls/actionCommands.js';
