import { buildApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';

/** Boots the server: config (one line per bad variable), app, listen, graceful shutdown. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('Stille Lijn');

  const app = await buildApp({ config });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A stray rejection (a dropped Redis connection mid-call) must not take the line down.
  process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });

  if (!config.isProduction) {
    const { ensureDemoOperator } = await import('./operators/demo.ts');
    // A shutdown during this step is not a failed start.
    const demo = await ensureDemoOperator(app).catch((err: unknown) => {
      if (closing) return [];
      throw err;
    });
    const lines = [
      '',
      `  Stille Lijn is running at ${config.publicUrl}`,
      `    demo host page with the widget: ${config.publicUrl}/`,
      `    operator console:               ${config.publicUrl}/console/`,
      '',
      '  Demo accounts (passwords are new on every start):',
      ...demo.map((d) => `    ${d.role.padEnd(10)} ${d.username.padEnd(18)} ${d.password}`),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`Stille Lijn failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
