/**
 * Runs only at build time: the static adapter renders the app's one page (the SPA fallback)
 * through this hook. It puts the engine's early start in the page's head as an inline script,
 * so that on the login callback the wasm is read and compiled from the moment the HTML is
 * parsed (`earlyEngineScript`). The gateway allows the page's inline scripts by their sha256.
 */
import type { Handle } from '@sveltejs/kit/hooks';
import { earlyEngineScript } from '#lib/data/engine-assets.ts';

const script = `<script>${earlyEngineScript()}</script>`;

const CHARSET = '<meta charset="utf-8" />';
/** Right after the charset (which must come first); at the head's start if app.html lacks it. */
const place = (html: string) => (html.includes(CHARSET) ? html.replace(CHARSET, `${CHARSET}\n\t\t${script}`) : html.replace('<head>', `<head>${script}`));

export const handle: Handle = ({ event, resolve }) => resolve(event, { transformPageChunk: ({ html }) => place(html) });
