/** The list of conversations, with the search field above it. */
export { ConversationList } from './ConversationList.js';
