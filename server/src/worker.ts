import Fastify, { type FastifyInstance } from 'fastify';
import { configPlugin, loadConfigOrExit } from './config.ts';
import conversationsPlugin from './conversations/plugin.ts';
import cryptoPlugin from './crypto/plugin.ts';
import { createLogger } from './logger.ts';
import metricsPlugin from './metrics/plugin.ts';
import queuesPlugin from './queues/plugin.ts';
import redisPlugin from './redis/plugin.ts';
import { startReportWorker } from './reports/delivery.ts';
import { closeWorkers, startWorkers } from './routing/jobs.ts';

/**
 * `npm run worker`: the BullMQ workers in their own process (servers then run with
 * WORKERS=none). Without a Socket.IO server, it emits through the Redis emitter.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('Stille Lijn worker');
  const app = Fastify({ loggerInstance: createLogger(config.logLevel) }) as unknown as FastifyInstance;
  app.register(configPlugin(config));
  await app.register(redisPlugin);
  await app.register(cryptoPlugin);
  await app.register(metricsPlugin);
  await app.register(queuesPlugin);
  await app.register(conversationsPlugin);
  await app.ready();
  const workers = await startWorkers(app);
  const reportWorker = await startReportWorker(app);
  app.log.info('workers running');
  const stop = async () => {
    await closeWorkers(workers);
    await reportWorker.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`Stille Lijn worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
