/** Signing in: the login screen. */
export { LoginScreen } from './LoginScreen.js';
