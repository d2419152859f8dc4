/** Contacts: the panel beside the thread, and proposing and merging duplicates of the same customer. */
export { ContactPanel } from './ContactPanel.js';
export { ContactMerge } from './ContactMerge.js';
