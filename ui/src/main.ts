/** Entry point: registers the shell; pages load on demand. */
import './app/onsky-app.js';
