export { insertActivity } from './activity.js';
export {
  changeAssignee,
  changeStatus,
  changeTeam,
  loadConversation,
  lockWrites,
  type ConversationRow,
} from './assign.js';
export { autoAssign, offerQueue, pickFairly, requeueOffline, OfflineSweeper } from './auto.js';
export type { Clock } from './sweeper.js';
export { SNOOZE_MAX_MS, SnoozeSweeper, snoozeConversation, wakeConversation, wakeDueSnoozes } from './snooze.js';
export {
  agentAvailable,
  agentReplied,
  assignConversation,
  conversationArrived,
  offerAllQueues,
  setConversationStatus,
  transferConversation,
} from './flows.js';
