import { buildApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';
import { exitOnSignals } from './shutdown.ts';

/** Boots the server: config (one line per bad variable), app, listen, graceful shutdown. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('Stille Lijn');

  const app = await buildApp({ config });
  const signals = exitOnSignals(app.log, () => app.close());
  // A stray rejection (a dropped Redis connection mid-call) must not take the line down.
  process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
  await app.listen({ port: config.port, host: config.host });

  if (!config.isProduction) {
    const { ensureDemoOperator } = await import('./operators/demo.ts');
    // A shutdown during this step is not a failed start.
    const demo = await ensureDemoOperator(app).catch((err: unknown) => {
      if (signals.isClosing()) return [];
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
