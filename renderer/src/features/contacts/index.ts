/** Contacts: proposing and merging duplicates of the same customer. */
export { ContactMerge } from './ContactMerge.js';
