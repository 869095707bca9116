// A static single-page app: nothing is rendered on a server, nothing is prerendered
// except the fallback shell.
export const ssr = false;
export const prerender = false;
