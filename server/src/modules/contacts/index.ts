export { touchDuplicatesOf } from './duplicates.js';
export { profileFetchEnabled, ProfileRefresher } from './profiles.js';
export { mergeContacts, mergeContactsIn } from './merge.js';
export { setContactNote } from './notes.js';
