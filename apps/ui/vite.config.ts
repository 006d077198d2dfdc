import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server proxies every server path to a running Lynx server, so the browser sees one origin
// as it does when the server serves the built assets.
const server = process.env.LYNX_SERVER_URL ?? 'http://localhost:8080';
const proxied = { target: server, changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Shared schemas from source: the UI build does not wait for the shared package's tsc output.
    alias: { '@lynx/shared': fileURLToPath(new URL('../../packages/shared/src/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/trpc': proxied,
      '/api': proxied,
      '/docs': proxied,
      '/mqtt': { ...proxied, ws: true },
    },
  },
});
