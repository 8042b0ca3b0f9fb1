// The page a browser sees when a sign-in (or a Twitch link) cannot finish: the status says what happened, the text
// says what to do.
import type { FastifyReply } from 'fastify';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function signInErrorPage(reply: FastifyReply, status: number, message: string, title = 'Sign-in failed'): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Clipscope</title><link rel="stylesheet" href="/assets/styles.css"></head>
<body><main><section class="panel sign-in"><h2>${escapeHtml(title)}</h2><p id="sign-in-failure">${escapeHtml(message)}</p>
<p><a href="/">Back to the dashboard</a></p></section></main></body></html>
`;
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
