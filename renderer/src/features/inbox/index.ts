/** The list of conversations: views, filters, the search field above it. */
export { ConversationList, type ListHandle } from './ConversationList.js';
export { useInboxViews, type InboxView } from './useInboxViews.js';
