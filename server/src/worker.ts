import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import auditPlugin from './audit/plugin.ts';
import { configPlugin, loadConfigOrExit } from './config.ts';
import conversationsPlugin, { storePlugin } from './conversations/plugin.ts';
import cryptoPlugin from './crypto/plugin.ts';
import linesPlugin from './lines/plugin.ts';
import { createLogger } from './logger.ts';
import messagesPlugin from './messages/plugin.ts';
import metricsPlugin from './metrics/plugin.ts';
import oncallPlugin from './oncall/plugin.ts';
import presencePlugin from './presence/plugin.ts';
import queuesPlugin from './queues/plugin.ts';
import { closeWorkers } from './queues/workers.ts';
import redisPlugin from './redis/plugin.ts';
import { startReportWorker } from './reports/delivery.ts';
import { startWorkers } from './routing/jobs.ts';
import routingPlugin from './routing/plugin.ts';
import shiftPlugin from './shift/plugin.ts';
import { exitOnSignals } from './shutdown.ts';
import signalsPlugin from './signals/plugin.ts';
import notifyPlugin from './sockets/notify-plugin.ts';
import figuresPlugin from './stats/figures-plugin.ts';
import supervisionPlugin from './supervision/plugin.ts';

/**
 * `npm run worker`: the BullMQ workers in their own process (servers then run with
 * WORKERS=none). Without a Socket.IO server, it emits through the Redis emitter.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('Stille Lijn worker');
  const logger: FastifyBaseLogger = createLogger(config.logLevel);
  const app: FastifyInstance = Fastify({ loggerInstance: logger });
  // As in main.ts: a stray rejection (a dropped Redis connection mid-call) must not end the workers.
  process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
  app.register(configPlugin(config));
  for (const plugin of [
    linesPlugin,
    redisPlugin,
    cryptoPlugin,
    metricsPlugin,
    queuesPlugin,
    auditPlugin,
    notifyPlugin,
    storePlugin,
    routingPlugin,
    oncallPlugin,
    signalsPlugin,
    conversationsPlugin,
    figuresPlugin,
    presencePlugin,
    supervisionPlugin,
    messagesPlugin,
    shiftPlugin,
  ]) {
    await app.register(plugin);
  }
  await app.ready();
  const workers = await startWorkers(app);
  const reportWorker = await startReportWorker(app);
  app.log.info('workers running');
  // As the server: a second signal, or a shutdown past its limit, exits at once.
  exitOnSignals(app.log, async () => {
    await closeWorkers(workers);
    await reportWorker.close();
    await app.close();
  });
}

main().catch((err) => {
  process.stderr.write(`Stille Lijn worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
