export { deleteCannedResponse, saveCannedResponse } from './commands.js';
