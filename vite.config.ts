import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
	plugins: [
		sveltekit({
			// A static site with an SPA fallback: client routes (/auth/callback, /confronto, ...)
			// resolve on any static host; the gateway serves index.html for unknown paths.
			adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true })
		})
	],
	worker: { format: 'es' }
});
