/** @gatewave/web: the local web app server (the app itself is the browser bundle in dist/app). */
export { WebError } from './errors';
export { startAppServer, isLoopback, DEFAULT_MAX_UPLOAD_BYTES, APP_DIR } from './server';
export type { AppServerOptions, AppServer } from './server';
export { lookup, addFolder } from './routes';
export type { RouteTable } from './routes';
export { CHROMIUM, chromiumLaunchOptions } from './chromium';
