// Talks to the Clipscope API as the signed-in person: with an API token (Authorization header; never in a URL), or
// with a Discord sign-in session (an HttpOnly cookie the page never sees; every API call names its server with
// ?guild=, and every change carries the session's CSRF token in X-CSRF-Token).

const TOKEN_KEY = 'clipscope.token';

/** The session's server and CSRF token; null guild = token mode (the token's own guild). */
const sessionState = { guild: null, csrfToken: null };

export function useSession({ guild, csrfToken }) {
  sessionState.guild = guild;
  sessionState.csrfToken = csrfToken;
}

export function leaveSession() {
  sessionState.guild = null;
  sessionState.csrfToken = null;
}

/** The API parameters every request of a session carries: its server. */
function withGuild(params) {
  return sessionState.guild ? { ...params, guild: sessionState.guild } : params;
}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API failure with the server's message and code; 401 means the token or session no longer works. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders() {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function failure(response) {
  let message = `The server answered ${response.status}.`;
  let code;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message = body.message;
    if (body && typeof body.error === 'string') code = body.error;
  } catch {
    // Not JSON: keep the generic message.
  }
  return new ApiError(response.status, message, code);
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function getJson(path, params = {}, signal) {
  let response;
  try {
    response = await fetch(`/analytics/api/${path}${query(withGuild(params))}`, { headers: authHeaders(), signal, cache: 'no-cache' });
  } catch (error) {
    if (error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Downloads a file the API makes through fetch (so the token stays in a header) and saves it under the server's name. */
export async function downloadFile(path, params, fallbackName) {
  const response = await fetch(`/analytics/api/${path}${query(withGuild(params))}`, { headers: authHeaders() });
  if (!response.ok) throw await failure(response);
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') || '';
  const match = /filename="([^"]+)"/.exec(disposition);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Downloads a CSV export. */
export function downloadCsv(params) {
  return downloadFile('export.csv', params, 'clipscope.csv');
}

/**
 * Follows the live-update stream with fetch (EventSource cannot send the Authorization header).
 * Calls onEvent(name, data) per event and onState('live' | 'reconnecting' | 'off'); reconnects with backoff.
 * Returns a function that stops it.
 */
export function followEvents({ onEvent, onState, onUnauthorized }) {
  let stopped = false;
  let controller = null;
  let delay = 1000;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch(`/analytics/api/events${query(withGuild({}))}`, {
          headers: authHeaders(),
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          onState('off');
          onUnauthorized(await failure(response));
          return;
        }
        if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
        onState('live');
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trim());
            }
            if (data.length > 0) {
              try {
                onEvent(event, JSON.parse(data.join('\n')));
              } catch {
                // A malformed event is skipped; the next one carries the full version again.
              }
            }
          }
        }
      } catch (error) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  connect();
  return () => {
    stopped = true;
    if (controller) controller.abort();
    onState('off');
  };
}

/** Who is signed in with Discord (or null), their servers and the CSRF token; whether sign-in is offered at all. */
export async function getSession() {
  const response = await fetch('/auth/session', { cache: 'no-store' });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** A state-changing request of the session: same origin, with the CSRF token. Resolves with the JSON answer or null. */
export async function send(method, path, body) {
  const headers = { 'X-CSRF-Token': sessionState.csrfToken || '' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** Reads the server list from Discord again. */
export function refreshServers() {
  return send('POST', '/auth/refresh');
}

/** Signs out: the session ends here and the Discord grant is revoked. */
export function signOut() {
  return send('POST', '/auth/logout');
}
