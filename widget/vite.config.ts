import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Always the production builds of dependencies, whatever NODE_ENV says (vitest sets it to
 * `test`): the development builds of socket.io's parser bundle `debug`, which reads
 * browser storage.
 */
const conditions = ['module', 'browser', 'production'];
const define = { 'process.env.NODE_ENV': JSON.stringify('production') };

/**
 * The loader: one IIFE for host pages, `dist/widget.js`. No exports (it defines
 * `window.StilleLijn` itself), so it adds no other global.
 */
const loaderConfig: InlineConfig = {
  configFile: false,
  root,
  publicDir: false,
  logLevel: 'warn',
  resolve: { conditions },
  define,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2020',
    minify: 'esbuild',
    reportCompressedSize: false,
    rollupOptions: {
      input: 'src/loader/main.ts',
      output: { format: 'iife', entryFileNames: 'widget.js' },
    },
  },
};

/**
 * The chat page's first script (`dist/chat/early.js`): the quick-exit keys before the app
 * runs. The server inlines it into `/chat` and allows it by its hash.
 */
const earlyConfig: InlineConfig = {
  ...loaderConfig,
  build: {
    ...loaderConfig.build,
    outDir: 'dist/chat',
    rollupOptions: {
      input: 'src/early/main.ts',
      output: { format: 'iife', entryFileNames: 'early.js' },
    },
  },
};

/**
 * Writes `.br` and `.gz` beside every script and stylesheet: the server sends these as they
 * are (a slow phone line then carries about a third of the bytes).
 */
function precompress(): Plugin {
  return {
    name: 'stille-lijn:precompress',
    apply: 'build',
    // After writing, not in generateBundle: Vite's own generateBundle (which may still
    // rewrite a chunk's code, such as the dynamic-import preload list) runs after every user
    // plugin's, and the compressed copies are what browsers get.
    writeBundle(options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css)$/.test(file.fileName)) continue;
        const source = Buffer.from(file.type === 'chunk' ? file.code : file.source);
        const path = join(options.dir ?? '', file.fileName);
        const brotli = { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } };
        writeFileSync(`${path}.br`, brotliCompressSync(source, brotli));
        writeFileSync(`${path}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}

/** Builds the loader and the early script once the chat app is built, so that one `vite build` makes all three. */
function alsoBuildLoader(): Plugin {
  return {
    name: 'stille-lijn:build-loader',
    apply: 'build',
    async closeBundle() {
      await build(loaderConfig);
      await build(earlyConfig);
    },
  };
}

/**
 * The chat app (`/chat`): an ES module entry with its CSS, written to `dist/chat/` with a
 * manifest. The server renders the page around it (see server/src/static/plugin.ts), so
 * that `lang`/`dir` and the configuration are right from the first byte.
 */
export default defineConfig({
  root,
  base: '/chat/',
  publicDir: false,
  resolve: { conditions },
  define,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', jsxDev: false },
  plugins: [precompress(), alsoBuildLoader()],
  build: {
    outDir: 'dist/chat',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    // No preload helper around dynamic imports: the lazy chunks have no CSS and no imports
    // of their own to fetch ahead, and the server lists what the first screen needs
    // (server/src/static/plugin.ts).
    modulePreload: false,
    rollupOptions: {
      input: { app: 'src/app/main.tsx' },
    },
  },
});
