/** The admin screen: users, teams and API tokens. */
export { AdminScreen } from './AdminScreen.js';
