import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import { languages } from '@stille-lijn/shared';
import { lineIdSchema } from '@stille-lijn/shared/domain/lines';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { publicLine } from '../lines/public-routes.ts';
import {
  chatPage,
  consolePlaceholder,
  contentSecurityPolicy,
  inlineScript,
  inlineScriptHash,
  notBuiltPage,
  requestOrigin,
  unknownLinePage,
} from './pages.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const widgetDist = join(repo, 'widget', 'dist');
const consoleDist = join(repo, 'operator-console', 'dist');
const demoDir = join(repo, 'widget', 'demo');

/** The chat app's entry in the Vite manifest (widget/vite.config.ts). */
const CHAT_ENTRY = 'src/app/main.tsx';
/** Where the chat app's language catalogues sit in the manifest (`<lang>.ts`; Dutch is in the entry). */
const CHAT_CATALOGUES = 'src/app/i18n/';
/** Replaced in widget.js by QUICK_EXIT_URL (widget/src/loader/main.ts). */
const EXIT_URL_TOKEN = /(["'`])__SL_QUICK_EXIT_URL__\1/;

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
}

/** Reads a built file, and again only when a rebuild changed it on disk. */
function builtFileReader(): (path: string) => Promise<string | undefined> {
  const cache = new Map<string, { mtimeMs: number; text: string }>();
  return async (path) => {
    try {
      const { mtimeMs } = await stat(path);
      const hit = cache.get(path);
      if (hit?.mtimeMs === mtimeMs) return hit.text;
      const text = await readFile(path, 'utf8');
      cache.set(path, { mtimeMs, text });
      return text;
    } catch {
      return undefined;
    }
  };
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/** The compression the browser accepts, brotli first; undefined for none. */
function acceptedEncoding(req: FastifyRequest): 'br' | 'gzip' | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  return /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined;
}

/** The widget's files (`/widget.js`, `/chat`, `/chat/assets/*`), the demo host page and the console. */
async function staticRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app;
  const readBuilt = builtFileReader();

  // Every response from here: a strict CSP unless the route set its own. (nosniff, the
  // referrer policy are on every answer of the server, HSTS on staff answers: http/security-headers.ts.)
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', contentSecurityPolicy({}));
    }
    return payload;
  });

  // ------------------------------------------------------------------ loader
  // Built once per build: QUICK_EXIT_URL filled in, then compressed for slow lines.
  let loader: { source: string; plain: Buffer; br: Buffer; gzip: Buffer } | undefined;
  app.get('/widget.js', async (req, reply) => {
    const code = await readBuilt(join(widgetDist, 'widget.js'));
    noStore(reply)
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('vary', 'accept-encoding')
      .type('text/javascript; charset=utf-8');
    if (code === undefined) return reply.status(503).send('/* widget not built */');
    if (loader?.source !== code) {
      const plain = Buffer.from(code.replace(EXIT_URL_TOKEN, JSON.stringify(config.quickExitUrl)));
      loader = { source: code, plain, br: brotliCompressSync(plain), gzip: gzipSync(plain, { level: 9 }) };
    }
    const encoding = acceptedEncoding(req);
    if (encoding) reply.header('content-encoding', encoding);
    return reply.send(encoding ? loader[encoding] : loader.plain);
  });

  // ------------------------------------------------------------------ chat app
  app.get('/chat', async (req, reply) => {
    noStore(reply);
    const query = req.query as Record<string, unknown>;
    const lang = languages.find((l) => l === query.lang) ?? 'nl';
    // `?line=`: that line's page, framed only by its own embed origins; no chat for a line
    // this deployment lacks. Without it, the first line (today's EMBED_ORIGINS on `default`).
    const requested = query.line === undefined ? undefined : lineIdSchema.safeParse(query.line);
    const line = requested?.success === false ? undefined : app.lines.resolve(requested?.data);
    if (!line) {
      reply.header('content-security-policy', contentSecurityPolicy({ 'frame-ancestors': "'self'" }));
      return reply.status(404).type('text/html; charset=utf-8').send(unknownLinePage());
    }
    const manifestText = await readBuilt(join(widgetDist, 'chat', '.vite', 'manifest.json'));
    const manifest = manifestText ? (JSON.parse(manifestText) as Record<string, ManifestChunk>) : undefined;
    const entry = manifest?.[CHAT_ENTRY];
    if (!manifest || !entry) {
      reply.header('content-security-policy', contentSecurityPolicy({ 'frame-ancestors': "'self'" }));
      return reply.status(503).type('text/html; charset=utf-8').send(notBuiltPage('De chat'));
    }
    const earlyCode = await readBuilt(join(widgetDist, 'chat', 'early.js'));
    const earlyScript = earlyCode === undefined ? undefined : inlineScript(earlyCode.trim());
    const origin = requestOrigin(req);
    const host = origin ? new URL(origin).host : undefined;
    const ancestors = ["'self'", ...line.embedOrigins].join(' ');
    reply
      .header(
        'content-security-policy',
        contentSecurityPolicy({
          'script-src': earlyScript ? `'self' ${inlineScriptHash(earlyScript)}` : "'self'",
          'style-src': "'self'",
          'img-src': "'self'",
          // 'self' covers ws: and wss: in current browsers; older Safari needs them spelled out.
          'connect-src': host ? `'self' ws://${host} wss://${host}` : "'self'",
          'frame-ancestors': ancestors,
        }),
      )
      .header('cross-origin-opener-policy', 'same-origin')
      .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    const html = chatPage({
      lang,
      earlyScript,
      entry: `/chat/${entry.file}`,
      styles: (entry.css ?? []).map((file) => `/chat/${file}`),
      // The entry's static imports, and the page's language when the build made it a chunk
      // of its own (widget/src/app/i18n.ts): fetched beside the entry, not after it.
      preloads: [...(entry.imports ?? []), `${CHAT_CATALOGUES}${lang}.ts`].flatMap((key) => {
        const chunk = manifest[key];
        return chunk ? [`/chat/${chunk.file}`] : [];
      }),
      config: {
        quickExitUrl: config.quickExitUrl,
        waitAlternativesSeconds: config.waitAlternativesSeconds,
        returnWindowMinutes: Math.max(1, Math.round(config.returnWindowMs / 60_000)),
        embedOrigins: [...new Set([...line.embedOrigins, ...(origin ? [origin] : [])])],
        line: publicLine(app.lines, line, new Date()),
      },
    });
    // Compressed as the browser asks: on a slow line the page is the first of two round
    // trips before the start screen. (Made per request: it holds the line's state and the
    // requesting origin. A few KB at a fast setting cost well under a millisecond.)
    reply.type('text/html; charset=utf-8').header('vary', 'accept-encoding');
    const encoding = acceptedEncoding(req);
    if (!encoding) return reply.send(html);
    const body =
      encoding === 'br'
        ? brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : gzipSync(html, { level: 6 });
    return reply.header('content-encoding', encoding).send(body);
  });

  app.get('/chat/favicon.svg', async (_req, reply) =>
    noStore(reply)
      .type('image/svg+xml')
      .send(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#8a8f98"/></svg>',
      ),
  );

  await app.register(fastifyStatic, {
    root: join(widgetDist, 'chat', 'assets'),
    prefix: '/chat/assets/',
    decorateReply: false,
    // The build writes .br and .gz beside each file (widget/vite.config.ts).
    preCompressed: true,
    index: false,
    etag: false,
    lastModified: false,
    cacheControl: false,
    suppressWarning: true,
    setHeaders: (res) => {
      res.header('cache-control', 'no-store');
    },
  });

  // ------------------------------------------------------------------ demo host page
  if (!config.isProduction) {
    const demoFile = (file: string, type: string) => async (_req: FastifyRequest, reply: FastifyReply) => {
      const text = await readBuilt(join(demoDir, file));
      if (text === undefined) return reply.callNotFound();
      return reply.header('cache-control', 'no-cache').type(type).send(text);
    };
    const demoPolicy = contentSecurityPolicy({
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self'",
      'frame-src': "'self'",
      // The loader reads the line it embeds (GET /api/lines/:id).
      'connect-src': "'self'",
    });
    app.get('/', async (req, reply) => {
      reply.header('content-security-policy', demoPolicy);
      return demoFile('index.html', 'text/html; charset=utf-8')(req, reply);
    });
    app.get('/demo.css', demoFile('demo.css', 'text/css; charset=utf-8'));
    app.get('/demo-favicon.svg', demoFile('favicon.svg', 'image/svg+xml'));
  }

  // ------------------------------------------------------------------ operator console
  const consolePolicy = contentSecurityPolicy({
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': "'self' data:",
    'connect-src': "'self'",
    'form-action': "'self'",
  });
  app.get('/console', async (_req, reply) => reply.redirect('/console/', 301));
  app.get('/console/', async (_req, reply) => {
    noStore(reply).header('content-security-policy', consolePolicy);
    const html = await readBuilt(join(consoleDist, 'index.html'));
    if (html === undefined) return reply.type('text/html; charset=utf-8').send(consolePlaceholder());
    return reply.type('text/html; charset=utf-8').send(html);
  });
  await app.register(fastifyStatic, {
    root: join(consoleDist, 'assets'),
    prefix: '/console/assets/',
    decorateReply: false,
    index: false,
    suppressWarning: true,
  });
}

/**
 * Serves what browsers load: the loader (`/widget.js`), the chat app (`/chat` and its
 * assets), the demo host page (`/`, outside production) and the operator console
 * (`/console/`). Every response carries a strict CSP; everything the visitor's browser
 * gets is `Cache-Control: no-store`.
 */
export default fp(
  async (app) => {
    await app.register(staticRoutes);
  },
  { name: 'static', dependencies: ['config', 'lines'] },
);
