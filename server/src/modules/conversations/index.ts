export { runConversationMutation } from './commands.js';
