export {
  accountForAdmin,
  createChannelAccount,
  deleteChannelAccount,
  listAccountsForAdmin,
  updateChannelAccount,
} from './admin.js';
export { loadChannelsFile } from './channels-file.js';
export {
  type ChannelAccountRow,
  channelAccountsForWebhooks,
  forgetChannelAccounts,
  listChannelAccounts,
  upsertChannelAccount,
} from './records.js';
export { CreateChannelAccountSchema, describeIssues, UpdateChannelAccountSchema } from './schema.js';
