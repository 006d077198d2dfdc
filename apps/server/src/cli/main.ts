// `lynx-server` / `npm start`: loads the configuration, starts the server, prints the ready line,
// and shuts down cleanly on SIGINT/SIGTERM.
import { ConfigError, helpText, loadConfig } from '../config/load-config.js';
import { createLogger } from '../log.js';
import type { BootstrapResult } from '../aam/services/bootstrap.js';
import { startServer, type RunningServer } from '../server.js';
import { serverVersion } from '../version.js';
import { describeStartError } from './describe-start-error.js';
import { commandsHelp, runBackupCommand } from './backup-commands.js';

function announceFirstStart(result: BootstrapResult): void {
  if (result.generatedPassword) {
    process.stdout.write(
      `lynx-server first start: created admin user ${result.adminEmail} with password ${result.generatedPassword}\n` +
        'lynx-server this password is shown only once; set LYNX_ADMIN_PASSWORD before the first start to choose it\n',
    );
  } else if (result.created) {
    process.stdout.write(`lynx-server first start: created admin user ${result.adminEmail} with the password from LYNX_ADMIN_PASSWORD\n`);
  }
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'backup' || command === 'restore') process.exit(await runBackupCommand(process.argv.slice(2)));
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lynx-server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (loaded.help) {
    process.stdout.write(`${helpText()}\n\n${commandsHelp}\n`);
    return;
  }
  if (loaded.version) {
    process.stdout.write(`lynx-server ${serverVersion()}\n`);
    return;
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel);

  // Signal handlers go in before anything is printed: until a handler exists the kernel's default
  // action kills the process outright, so a supervisor reacting to the ready line could kill us.
  let server: RunningServer | undefined;
  let stopping = false;
  const shutdown = (running: RunningServer) =>
    running.close().then(
      () => {
        logger.info('shutdown complete');
        logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals | 'control socket') => {
    if (stopping) {
      if (signal === 'control socket') return;
      logger.warn({ signal }, 'second signal: exiting without waiting for shutdown');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // During start-up the shutdown runs as soon as start-up has finished opening things.
    if (server) void shutdown(server);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    server = await startServer(config, logger, { onBootstrap: announceFirstStart, onShutdownRequest: () => stop('control socket') });
  } catch (err) {
    logger.flush?.();
    process.stderr.write(`lynx-server: ${describeStartError(err, config)}\n`);
    process.exit(1);
  }
  if (stopping) {
    await shutdown(server);
    return;
  }

  process.stdout.write(`lynx-server ready http=${server.httpUrl} mqtt=${server.mqttUrl}\n`);
  // A line of its own: supervisors and tests parse the ready line's exact format.
  process.stdout.write(`lynx-server ui ${server.httpUrl}/\n`);
  logger.info({ http: server.httpUrl, mqtt: server.mqttUrl, dataDir: config.dataDir }, 'server ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`lynx-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
