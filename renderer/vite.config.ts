/**
 * Vite build of the renderer alone, for browser mode (`npm run build:renderer`,
 * output renderer/dist). electron-vite builds the same sources for Electron
 * (electron.vite.config.ts). No inline scripts: the CSP forbids them.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // This file is Node-side build config, but it lives in renderer/, whose lint layer bans node:*.
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP has no 'unsafe-inline': keep every asset a file, never a data: URL script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
