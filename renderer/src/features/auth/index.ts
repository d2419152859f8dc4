/** Signing in: the login screen. */
import { lazyComponent } from '../../common/lazyComponent.js';

export const LoginScreen = lazyComponent(() => import('./LoginScreen.js').then((module) => module.LoginScreen));
