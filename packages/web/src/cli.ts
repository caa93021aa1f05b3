#!/usr/bin/env node
/**
 * `gatewave-app` (also `npm run app`): starts the local web app server and opens the page. A thin shell over
 * `startAppServer`.
 */
import { spawn } from 'child_process';
import { Command, InvalidArgumentError } from 'commander';
import { isLoopback, startAppServer, DEFAULT_MAX_UPLOAD_BYTES } from './server';

function positive(what: string, integer: boolean) {
  return (value: string): number => {
    const x = Number(value);
    if (!(x > 0) || (integer && !Number.isInteger(x)))
      throw new InvalidArgumentError(`${what} must be a positive ${integer ? 'integer' : 'number'}, got "${value}".`);
    return x;
  };
}

function portNumber(value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 0 || x > 65535)
    throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got "${value}".`);
  return x;
}

/** Opens `url` in the desktop's browser, if there is one; never fails. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () =>
      process.stderr.write(`gatewave-app: could not open a browser (${cmd}); open ${url} yourself.\n`),
    );
    child.unref();
  } catch {
    /* reported above */
  }
}

export function buildProgram(): Command {
  return new Command()
    .name('gatewave-app')
    .description(
      'The gatewave web app on this machine: enhance WAV files, see sound events, forecast CSV series, in your browser.',
    )
    .option('--port <n>', 'port to listen on (default: a free port, printed)', portNumber)
    .option('--host <address>', 'address to bind (default 127.0.0.1; anything else is reachable from other machines)')
    .option('--no-open', 'do not open a browser')
    .option(
      '--max-upload-mb <mb>',
      `largest upload for server-side processing, in MiB (default ${DEFAULT_MAX_UPLOAD_BYTES / 1048576})`,
      positive('--max-upload-mb', false),
    )
    .option('--enhancer <dir>', 'enhancement model folder to serve (default: the shipped model)')
    .option('--detector <dir>', 'sound event detector folder to serve (default: the shipped model)')
    .option(
      '--forecaster <dir>',
      'saved forecast model folder (gatewave-forecast train --out DIR) to serve; the Forecast tab forecasts with it in the browser',
    )
    .showHelpAfterError()
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(
      async (o: {
        port?: number;
        host?: string;
        open: boolean;
        maxUploadMb?: number;
        enhancer?: string;
        detector?: string;
        forecaster?: string;
      }) => {
        const host = o.host ?? '127.0.0.1';
        if (!isLoopback(host)) {
          process.stderr.write(
            `gatewave-app: WARNING: listening on ${host}: other machines on the network can reach this server and use it.\n`,
          );
        }
        const app = await startAppServer({
          port: o.port,
          host,
          maxUploadBytes: o.maxUploadMb === undefined ? undefined : Math.round(o.maxUploadMb * 1048576),
          enhancerDir: o.enhancer,
          detectorDir: o.detector,
          forecasterDir: o.forecaster,
        });
        // The handler goes in before the URL is printed: stdout to a pipe is synchronous, so whoever reads the URL can
        // interrupt at once, and must find the handler there (exit 130, the server closed), not Node's default.
        process.once('SIGINT', () => {
          void app.close();
          process.exit(130);
        });
        process.stdout.write(`gatewave app: ${app.url}  (Ctrl+C to stop)\n`);
        if (o.open) openBrowser(app.url);
      },
    );
}

/** Runs the command line; exit codes: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted. */
export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err: Error & { code?: string }) => {
      process.stderr.write(`gatewave-app: error [${err.code ?? 'UNEXPECTED'}]: ${err.message}\n`);
      process.exitCode = err.code === 'BAD_ARGUMENT' || err.code === 'NOT_FOUND' || err.code === 'PORT_IN_USE' ? 2 : 1;
    });
}

if (require.main === module) main(process.argv);
