import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The benchmark builds its own copy without touching `build/` or `.svelte-kit/` (bench/data.ts).
const pages = process.env.CRUSCOTTO_BUILD_DIR ?? 'build';

export default defineConfig({
	plugins: [
		sveltekit({
			// A static site with an SPA fallback: client routes (/auth/callback, /confronto, ...)
			// resolve on any static host; the gateway serves index.html for unknown paths.
			adapter: adapter({ pages, assets: pages, fallback: 'index.html', strict: true }),
			outDir: process.env.CRUSCOTTO_KIT_DIR
		})
	],
	worker: { format: 'es' }
});
