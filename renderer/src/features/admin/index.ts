/** The admin screen: users, teams and API tokens. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const AdminScreen = lazyComponent(() => import('./AdminScreen.js').then((module) => module.AdminScreen));
