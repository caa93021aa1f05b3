/**
 * The local server of the web app. It serves the app and the model files from a fixed table (see `routes.ts`) and,
 * only when the page asks for it, enhances an uploaded WAV (`POST /api/enhance`) or forecasts an uploaded CSV
 * (`POST /api/forecast`) on the server, with an upload size limit. It binds 127.0.0.1 unless told otherwise and
 * answers only requests addressed to the host it was started on.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { DEFAULT_DETECTOR_DIR, DEFAULT_MODEL_DIR } from '@gatewave/audio';
import { WebError } from './errors';
import { addFolder, CONTENT_TYPES, lookup, type RouteTable } from './routes';
import { enhanceOnServer } from './server-enhance';
import { forecastOnServer } from './server-forecast';

export interface AppServerOptions {
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Largest upload accepted, in bytes (default 100 MiB). The page checks it too, before it reads a file. */
  maxUploadBytes?: number;
  /** The built app (default: dist/app of this package). */
  appDir?: string;
  /** Enhancement model folder served at /models/enhancer/ (default: the model shipped with @gatewave/audio). */
  enhancerDir?: string;
  /** Detector folder served at /models/detector/ (default: the model shipped with @gatewave/audio). */
  detectorDir?: string;
  /**
   * A saved forecast model (a folder written by `gatewave-forecast train --out DIR`) served at /models/forecaster/
   * (its `forecast.json` and `network/` files); the Forecast tab then forecasts with it in the browser. None by default.
   */
  forecasterDir?: string;
}

export interface AppServer {
  server: http.Server;
  /** The page's URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** The built app: dist/app of this package (the same path from src/ in tests and from dist/). */
export const APP_DIR = path.resolve(__dirname, '..', 'dist', 'app');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function routeTable(
  o: Required<Pick<AppServerOptions, 'appDir' | 'enhancerDir' | 'detectorDir'>> & { forecasterDir?: string },
): RouteTable {
  if (!fs.existsSync(path.join(o.appDir, 'index.html')) || !fs.existsSync(path.join(o.appDir, 'app.mjs'))) {
    throw new WebError(
      'APP_NOT_BUILT',
      `the web app is not built (${o.appDir} has no index.html/app.mjs); run npm run build.`,
    );
  }
  const table: RouteTable = new Map();
  addFolder(table, '/', o.appDir, 'the app folder');
  addFolder(table, '/models/enhancer/', o.enhancerDir, 'the enhancer folder');
  addFolder(table, '/models/detector/', o.detectorDir, 'the detector folder');
  if (o.forecasterDir) addForecaster(table, o.forecasterDir);
  return table;
}

/** A forecast model folder: `forecast.json` and, for a model with weights, the files of its `network/` folder. */
function addForecaster(table: RouteTable, dir: string): void {
  if (!fs.existsSync(path.join(dir, 'forecast.json'))) {
    throw new WebError(
      'NOT_FOUND',
      `the forecast model folder ${dir} has no forecast.json; pass a folder written by 'gatewave-forecast train --out DIR'.`,
    );
  }
  addFolder(table, '/models/forecaster/', dir, 'the forecast model folder');
  const network = path.join(dir, 'network');
  if (fs.existsSync(network)) addFolder(table, '/models/forecaster/network/', network, 'its network folder');
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // tfjs compiles its wasm kernels and webgl shaders; nothing else runs that the server did not send.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'",
};

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, CONTENT_TYPES['.json'], JSON.stringify({ error: message }));
}

/** Reads a request body up to `limit` bytes; past it, answers 413 and resolves null. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<Buffer | null> {
  const tooBig = (size: string): void => {
    sendError(
      res,
      413,
      `the upload is ${size}; this server accepts at most ${(limit / 1048576).toFixed(1)} MiB (start it with --max-upload-mb to change that).`,
    );
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    tooBig(`${(declared / 1048576).toFixed(1)} MiB`);
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooBig(`over ${(limit / 1048576).toFixed(1)} MiB`);
        req.destroy();
        resolve(null);
      } else parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Starts the server; resolves once it listens. */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!(limit > 0)) throw new WebError('BAD_ARGUMENT', `maxUploadBytes must be > 0, got ${limit}.`);
  const enhancerDir = options.enhancerDir ?? DEFAULT_MODEL_DIR;
  const table = routeTable({
    appDir: options.appDir ?? APP_DIR,
    enhancerDir,
    detectorDir: options.detectorDir ?? DEFAULT_DETECTOR_DIR,
    forecasterDir: options.forecasterDir,
  });
  const config = JSON.stringify({
    maxUploadBytes: limit,
    enhancer: '/models/enhancer/',
    detector: '/models/detector/',
    forecaster: options.forecasterDir ? '/models/forecaster/' : null,
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // A page on another site cannot reach a loopback server through a DNS name that points here (DNS rebinding).
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (isLoopback(host) && !isLoopback(hostHeader))
      return sendError(res, 403, `requests must be addressed to localhost (got Host: ${req.headers.host}).`);
    if (req.method === 'POST' && (url.pathname === '/api/enhance' || url.pathname === '/api/forecast')) {
      void readBody(req, res, limit).then(
        async (body) => {
          if (!body) return;
          try {
            if (url.pathname === '/api/enhance')
              send(res, 200, 'audio/wav', Buffer.from(await enhanceOnServer(body, enhancerDir, url.searchParams)));
            else send(res, 200, CONTENT_TYPES['.json'], JSON.stringify(await forecastOnServer(body, url.searchParams)));
          } catch (err) {
            // gatewave's errors carry a code and the CLI's message: bad input (400); anything else is ours (500).
            const e = err as Error & { code?: string };
            sendError(res, typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? 400 : 500, e.message);
          }
        },
        (err: Error) => sendError(res, 500, err.message),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, `${req.method} is not allowed here.`);
    if (url.pathname === '/config.json') return send(res, 200, CONTENT_TYPES['.json'], config);
    const file = lookup(table, (req.url ?? '/').split('?')[0]);
    if (!file) return sendError(res, 404, 'not found');
    const body = fs.readFileSync(file);
    send(res, 200, CONTENT_TYPES[path.extname(file)], req.method === 'HEAD' ? '' : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new WebError(
              'PORT_IN_USE',
              `port ${options.port} on ${host} is in use; pick another with --port, or leave it out for a free one.`,
            )
          : new WebError('LISTEN_FAILED', `cannot listen on ${host}:${options.port ?? 0} (${err.message}).`),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive connections would hold the process open
      }),
  };
}
