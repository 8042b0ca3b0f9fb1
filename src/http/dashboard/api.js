// Talks to the Clipscope API with the signed-in token (Authorization header; never in a URL).

const TOKEN_KEY = 'clipscope.token';

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API failure with the server's message; status 401 means the token no longer works. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function authHeaders() {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function failure(response) {
  let message = `The server answered ${response.status}.`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: keep the generic message.
  }
  return new ApiError(response.status, message);
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
    response = await fetch(`/analytics/api/${path}${query(params)}`, { headers: authHeaders(), signal, cache: 'no-cache' });
  } catch (error) {
    if (error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Downloads a CSV export through fetch (so the token stays in a header) and saves it as a file. */
export async function downloadCsv(params) {
  const response = await fetch(`/analytics/api/export.csv${query(params)}`, { headers: authHeaders() });
  if (!response.ok) throw await failure(response);
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') || '';
  const match = /filename="([^"]+)"/.exec(disposition);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : 'clipscope.csv';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
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
        const response = await fetch('/analytics/api/events', { headers: authHeaders(), signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) {
          onState('off');
          onUnauthorized();
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
