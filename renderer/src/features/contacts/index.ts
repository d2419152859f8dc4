/** Contacts: the panel beside the thread, and proposing and merging duplicates of the same customer. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const ContactPanel = lazyComponent(() => import('./ContactPanel.js').then((module) => module.ContactPanel));
export { ContactMerge } from './ContactMerge.js';
